import { spawn, type ChildProcess } from 'node:child_process';
import { childControls } from './child-controls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoCredentials } from '../../../server/cli/demo';
import type { Tuning } from '../../../server/tuning';
import { testDatabaseUrl } from '../../support/test-database';
import { runSource } from '../../support/run-source';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_BIN = join(REPO_ROOT, 'bin/magpie-server.js');
const TUNED_SERVER_MAIN = fileURLToPath(new URL('./tuned-server.main.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/**
 * How the server process is launched: the real bin (`magpie-server start`, default tuning), or
 * the same server with some tuning replaced (the bin has no flag for tuning), as its own process.
 */
export type ServerLauncher =
  | { readonly kind: 'bin' }
  | {
      readonly kind: 'tuned';
      readonly tuning: Partial<Tuning>;
      /** Report the server's own event-loop delay every this many ms (see eventLoopStalls()). */
      readonly eventLoopReportMs?: number;
    };

export interface ServerProcessOptions {
  readonly dataDir: string;
  readonly host?: string;
  /** 0 (the default) picks a free port; a restart passes the port of the first start. */
  readonly port?: number;
  readonly launcher?: ServerLauncher;
  /** Raise the child's open-file limit to this (through prlimit) for tests that hold many sockets. */
  readonly maxOpenFiles?: number;
  /** The HTTP listener's port (0, the default, picks a free one); a restart passes the first start's. */
  readonly httpPort?: number;
}

export interface ServerProcess {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** The HTTP listener's port (REST, /healthz, /metrics); undefined if it has none. */
  readonly httpPort: number | undefined;
  /** The first start's demo account, app and users (read from the data folder's demo.json). */
  readonly credentials: DemoCredentials;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly isAlive: () => boolean;
  /** Kills with SIGKILL: no cleanup, no last write; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not stopped within a few seconds. */
  stop(): Promise<void>;
  /** The last lines the server logged (stderr), for failure messages. */
  logTail(): string;
  /**
   * The server's event-loop delay reports since the last call (tuned launcher with
   * eventLoopReportMs only): one { p99Ms, maxMs } per interval.
   */
  eventLoopStalls(): { p99Ms: number; maxMs: number }[];
}

function commandFor(options: ServerProcessOptions, host: string): { file: string; args: string[] } {
  const launcher = options.launcher ?? { kind: 'bin' };
  // the PostgreSQL run: a schema of the data folder's own (test-database.ts), kept across restarts
  const database = testDatabaseUrl(options.dataDir);
  const common = [
    '--host',
    host,
    '--port',
    String(options.port ?? 0),
    '--http-port',
    String(options.httpPort ?? 0),
    '--data',
    options.dataDir,
    ...(database === undefined ? [] : ['--db', database]),
  ];
  const node =
    launcher.kind === 'bin'
      ? [SERVER_BIN, 'start', ...common, '--http-port', '0', '--log-level', 'warn', '--demo']
      : [
          ...runSource(TUNED_SERVER_MAIN),
          ...common,
          '--tuning',
          JSON.stringify(launcher.tuning),
          ...(launcher.eventLoopReportMs ? ['--event-loop-report', String(launcher.eventLoopReportMs)] : []),
        ];
  if (options.maxOpenFiles === undefined) return { file: process.execPath, args: node };
  return { file: 'prlimit', args: [`--nofile=${options.maxOpenFiles}:${options.maxOpenFiles}`, process.execPath, ...node] };
}

/** Starts a server as a child process and resolves once it listens. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const host = options.host ?? '127.0.0.1';
  const { file, args } = commandFor(options, host);
  const child: ChildProcess = spawn(file, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const logLines: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    logLines.push(...text.split('\n').filter((line) => line.length > 0));
    if (logLines.length > 40) logLines.splice(0, logLines.length - 40);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let alive = true;
  void exited.then(() => (alive = false));
  const logTail = () => logLines.join('\n');

  let stalls: { p99Ms: number; maxMs: number }[] = [];
  const listening = await new Promise<{ port: number; httpPort?: number }>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`server did not listen within ${START_TIMEOUT_MS} ms:\n${logTail()}`)), START_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('{"eventLoop"')) stalls.push((JSON.parse(line) as { eventLoop: { p99Ms: number; maxMs: number } }).eventLoop);
        if (!line.startsWith('{"listening"')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { listening: { port: number; httpPort?: number } }).listening);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${logTail()}`));
    });
  });
  const credentials = JSON.parse(readFileSync(join(options.dataDir, 'demo.json'), 'utf8')) as DemoCredentials;

  const { port, httpPort } = listening;
  return {
    pid: child.pid!,
    host,
    port,
    httpPort,
    credentials,
    exited,
    isAlive: () => alive,
    ...childControls(child, exited, () => alive, 5_000),
    logTail,
    eventLoopStalls() {
      const taken = stalls;
      stalls = [];
      return taken;
    },
  };
}
