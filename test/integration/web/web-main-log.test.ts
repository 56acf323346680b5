import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopLocalServer } from '../../../main/local-server/local-server';
import { runSource } from '../../support/run-source';

const root = resolve(import.meta.dirname, '../../..');

/** Ports free right now (the system's picks, let go at once). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((done) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => done(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

/** Runs `npm run web` until its page is served, then stops it: what it wrote to stdout and stderr. */
async function runWebShell(dirs: string[], logLevel: string | undefined): Promise<{ stdout: string; stderr: string; pid: number }> {
  const profileDir = mkdtempSync(join(tmpdir(), 'magpie-web-log-'));
  const serverDir = mkdtempSync(join(tmpdir(), 'magpie-web-log-server-'));
  dirs.push(profileDir, serverDir);
  const [plain, tls, http] = await freePorts(3);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MAGPIE_LOCAL_SERVER_DIR: serverDir,
    MAGPIE_NOTIFY_FILE: join(profileDir, 'n.jsonl'),
    MAGPIE_DEMO_PORT: String(plain),
    MAGPIE_DEMO_TLS_PORT: String(tls),
    MAGPIE_DEMO_HTTP_PORT: String(http),
  };
  if (logLevel === undefined) delete env['MAGPIE_LOG_LEVEL'];
  else env['MAGPIE_LOG_LEVEL'] = logLevel;
  const child = spawn(process.execPath, [...runSource(join(root, 'main/web/web-main.ts')), '--profile', profileDir], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((done) => child.once('exit', done));
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((done) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('(Ctrl+C stops it.)')) done();
    });
    child.once('exit', () => done());
  });
  child.kill('SIGINT');
  await exited;
  return { stdout, stderr, pid: child.pid! };
}

/** What `npm run web` writes to its terminal about the local server it starts: each JSON key once. */
describe('npm run web: its log of the local server', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs) await stopLocalServer(dir).catch(() => false);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('says "local Magpie server ready" with the shell\'s pid once and the server\'s as serverPid', async () => {
    const { stdout, stderr, pid } = await runWebShell(dirs, 'info');
    expect(stdout).toContain('(Ctrl+C stops it.)');
    const ready = stderr.split('\n').find((line) => line.includes('local Magpie server ready'));
    expect(ready, stderr).toBeDefined();
    // JSON.parse keeps the last of two equal keys: the raw line is what a reader of the terminal sees
    expect(ready!.match(/"pid":/g)).toHaveLength(1);
    const line = JSON.parse(ready!) as { pid: number; serverPid: number };
    expect(line.pid).toBe(pid);
    expect(line.serverPid).toEqual(expect.any(Number));
    expect(line.serverPid).not.toBe(pid);
  }, 60_000);

  it('by default writes no log line to the terminal: what a user reads there is the friendly text', async () => {
    const { stdout, stderr } = await runWebShell(dirs, undefined);
    // the friendly text says where the page and the demo server are
    expect(stdout).toContain('(Ctrl+C stops it.)');
    expect(stderr.split('\n').filter((line) => line.startsWith('{')), stderr).toEqual([]);
  }, 60_000);
});
