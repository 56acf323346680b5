import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../bin/magpie.js');

/** A finished magpie run: its exit code, stdout as JSON lines, stderr as text. */
export interface CliRun {
  code: number | null;
  /** stdout as JSON lines (empty when it is not JSON, like --help). */
  lines: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

/** A magpie run still going: its JSON lines as they arrive, and its end. */
export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Record<string, unknown>[];
  /** Resolves once a line matching the predicate was printed (rejects after ms, or at the exit). */
  lineWhere(match: (line: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  readonly done: Promise<CliRun>;
  /** What it wrote on stderr so far. */
  stderr(): string;
}

/** Starts the magpie bin, feeding stdin (left open with holdStdin), and follows its stdout line by line. */
export function startMagpie(args: readonly string[], stdin = '', env: Record<string, string> = {}, options: { holdStdin?: boolean } = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let partial = '';
  let jsonOut = true;
  const lines: Record<string, unknown>[] = [];
  const watchers = new Set<() => void>();
  let exited = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!stdout.startsWith('{')) jsonOut = false;
    if (!jsonOut) return;
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const text of complete) if (text.trim() !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
    for (const watch of watchers) watch();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.holdStdin) child.stdin.write(stdin);
  else child.stdin.end(stdin);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      exited = true;
      for (const watch of watchers) watch();
      if (!jsonOut) return resolve({ code, lines: [], stdout, stderr });
      if (partial.trim() !== '') return reject(new Error(`stdout is not JSON lines: ${stdout}`));
      resolve({ code, lines, stdout, stderr });
    });
  });
  return {
    child,
    lines,
    done,
    stderr: () => stderr,
    lineWhere(match, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no such line within ${ms} ms; stdout: ${stdout}; stderr: ${stderr}`)), ms);
        const finish = (error?: Error, line?: Record<string, unknown>): void => {
          clearTimeout(timer);
          watchers.delete(check);
          if (error) reject(error);
          else resolve(line!);
        };
        const check = (): void => {
          const line = lines.find(match);
          if (line) finish(undefined, line);
          else if (exited) finish(new Error(`exited (${child.exitCode}) without such a line; stdout: ${stdout}; stderr: ${stderr}`));
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Runs the magpie bin to its end. */
export function magpie(args: readonly string[], stdin = '', env: Record<string, string> = {}): Promise<CliRun> {
  return startMagpie(args, stdin, env).done;
}

/** The options that log `user` in to a test server with its app token, the profile in profilesDir/user. */
export function cliLoginArgs(server: { port: number; appId: string; appToken: string }, profilesDir: string, user: string): string[] {
  return ['--server', `127.0.0.1:${server.port}`, '--app', server.appId, '--token', server.appToken, '--user', user, '--profile', join(profilesDir, user)];
}

/** The arguments with the flag's value replaced (or the flag added): magpie refuses a value flag given twice. */
export function withFlag(args: readonly string[], flag: string, value: string): string[] {
  const at = args.indexOf(flag);
  if (at === -1) return [...args, flag, value];
  return [...args.slice(0, at), flag, value, ...args.slice(at + 2)];
}
