import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineTuning } from '../../../main/engine/tuning';
import { runSource } from '../../support/run-source';

const CLIENT_MAIN = fileURLToPath(new URL('./client-process.main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What a client process does: who it is, where it connects, what it sends and what it waits for. */
export interface ClientProcessSpec {
  readonly profileDir: string;
  readonly servers: readonly string[];
  readonly appId: string;
  readonly appToken: string;
  readonly user: string;
  readonly sendTo?: string;
  readonly sendCount?: number;
  readonly expectFrom?: string;
  readonly expectCount?: number;
  readonly tuning?: Partial<EngineTuning>;
}

export interface ClientProgress {
  readonly written: number;
  readonly sent: number;
  readonly received: number;
}

export interface ClientProcess {
  readonly pid: number;
  /** The latest progress line, zeros before the first. */
  readonly progress: () => ClientProgress;
  readonly isDone: () => boolean;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the progress passes check() or the process finished; rejects if it died first. */
  until(check: (progress: ClientProgress) => boolean, timeoutMs: number): Promise<void>;
  kill(): Promise<void>;
  output(): string;
}

/**
 * Runs client-process.main.ts, optionally inside a network namespace (`ip netns exec NS node ...`).
 */
export function startClientProcess(spec: ClientProcessSpec, options: { netns?: string } = {}): ClientProcess {
  const node = [process.execPath, ...runSource(CLIENT_MAIN), JSON.stringify(spec)];
  const [file, ...args] = options.netns ? ['ip', 'netns', 'exec', options.netns, ...node] : node;
  const child: ChildProcess = spawn(file!, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let latest: ClientProgress = { written: 0, sent: 0, received: 0 };
  let done = false;
  let buffered = '';
  const errors: string[] = [];
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    buffered += text;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const parsed = JSON.parse(line) as { progress?: ClientProgress; done?: boolean };
      if (parsed.progress) latest = parsed.progress;
      if (parsed.done) done = true;
    }
    for (const listener of listeners) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    errors.push(text);
    if (errors.length > 40) errors.shift();
  });
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
      for (const listener of listeners) listener();
    }),
  );
  const output = () => errors.join('');

  return {
    pid: child.pid!,
    progress: () => latest,
    isDone: () => done,
    exited,
    until(check, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`client ${spec.user} made no such progress within ${timeoutMs} ms: ${JSON.stringify(latest)}\n${output()}`));
        }, timeoutMs);
        const listener = (): void => {
          if (check(latest) || done) {
            clearTimeout(timer);
            listeners.delete(listener);
            resolve();
          } else if (!alive) {
            clearTimeout(timer);
            listeners.delete(listener);
            reject(new Error(`client ${spec.user} exited at ${JSON.stringify(latest)}:\n${output()}`));
          }
        };
        listeners.add(listener);
        listener();
      });
    },
    async kill() {
      if (alive) child.kill('SIGKILL');
      await exited;
    },
    output,
  };
}
