import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface IdleClientsJob {
  readonly port: number;
  readonly appId: string;
  readonly appToken: string;
  readonly count: number;
  /** Users are idle<firstUser> … idle<firstUser + count - 1>. */
  readonly firstUser: number;
  readonly localAddress: string;
  /** Logins in flight at once. */
  readonly concurrency: number;
  /** Logins started per second at most (absent: as fast as concurrency allows), so a storm of them stays below what the server accepts. */
  readonly loginsPerSecond?: number;
}

export type IdleClientsRequest = { type: 'heartbeat'; intervalMs: number } | { type: 'count' } | { type: 'stop' };
export type IdleClientsReply =
  | { type: 'progress'; ok: number; failed: number }
  | { type: 'ready'; ok: number; failed: number; firstError: string }
  | { type: 'count'; open: number; pongs: number };

export interface IdleClients {
  /** Resolves when every login of the job has succeeded or failed. */
  readonly ready: Promise<{ ok: number; failed: number; firstError: string }>;
  onProgress: (ok: number, failed: number) => void;
  heartbeat(intervalMs: number): void;
  count(): Promise<{ open: number; pongs: number }>;
  stop(): Promise<void>;
}

/** Forks a process that logs in job.count sessions from job.localAddress and keeps them open. */
export function forkIdleClients(job: IdleClientsJob): IdleClients {
  const child: ChildProcess = fork(join(import.meta.dirname, 'idle-clients-child.ts'), [JSON.stringify(job)], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let countWaiter: ((c: { open: number; pongs: number }) => void) | undefined;
  const handle: IdleClients = {
    ready: new Promise((resolve, reject) => {
      child.on('message', (reply: IdleClientsReply) => {
        if (reply.type === 'progress') handle.onProgress(reply.ok, reply.failed);
        else if (reply.type === 'ready') resolve(reply);
        else countWaiter?.(reply);
      });
      child.once('exit', (code) => reject(new Error(`the client process exited (code ${String(code)})`)));
    }),
    onProgress: () => undefined,
    heartbeat: (intervalMs) => child.send({ type: 'heartbeat', intervalMs } satisfies IdleClientsRequest),
    count: () =>
      new Promise((resolve) => {
        countWaiter = resolve;
        child.send({ type: 'count' } satisfies IdleClientsRequest);
      }),
    async stop() {
      if (child.connected) child.send({ type: 'stop' } satisfies IdleClientsRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  handle.ready.catch(() => undefined);
  return handle;
}
