import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { z } from 'zod';
import type { DemoInfo } from '../../preload/api';

const demoFileSchema = z.object({
  appId: z.string(),
  users: z.array(z.object({ friendlyName: z.string(), voipAccount: z.string(), voipPwd: z.string() })),
});

export interface LocalServer {
  readonly address: string;
  readonly demo: DemoInfo | undefined;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

function portAccepts(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The demo credentials of a server's data folder, for the login screen. */
export function readDemo(dataDir: string, address: string): DemoInfo | undefined {
  try {
    const parsed = demoFileSchema.parse(JSON.parse(readFileSync(`${dataDir}/demo.json`, 'utf8')));
    return {
      servers: [address],
      appId: parsed.appId,
      users: parsed.users.map((u) => ({ name: u.friendlyName, user: u.voipAccount, password: u.voipPwd })),
    };
  } catch {
    return undefined;
  }
}

/**
 * A Magpie server on this machine for a first run with no server of one's own: started as a
 * child process on loopback with its data in the profile, reused when it already runs.
 */
export async function ensureLocalServer(options: {
  serverBin: string;
  dataDir: string;
  host?: string;
  port?: number;
  startTimeoutMs?: number;
  onLog?: (line: string) => void;
}): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8883;
  const address = `${host}:${port}`;
  if (await portAccepts(host, port)) {
    return { address, demo: readDemo(options.dataDir, address), stop: () => Promise.resolve() };
  }
  const child: ChildProcess = spawn(
    process.execPath,
    // --demo: this server is for trying Magpie out, so a new data folder gets the demo users
    [options.serverBin, 'start', '--host', host, '--port', String(port), '--data', options.dataDir, '--demo'],
    // inside Electron, execPath is the app itself: run it as plain Node
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
  );
  child.stderr?.on('data', (chunk: Buffer) => options.onLog?.(chunk.toString()));
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  while (!(await portAccepts(host, port))) {
    if (child.exitCode !== null) throw new Error(`the local Magpie server exited with code ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the local Magpie server did not start on ${address}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    address,
    demo: readDemo(options.dataDir, address),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
