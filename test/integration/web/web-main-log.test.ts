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

/** What `npm run web` writes to its terminal about the local server it starts: each JSON key once. */
describe('npm run web: its log of the local server', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs) await stopLocalServer(dir).catch(() => false);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('says "local Magpie server ready" with the shell\'s pid once and the server\'s as serverPid', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'magpie-web-log-'));
    const serverDir = mkdtempSync(join(tmpdir(), 'magpie-web-log-server-'));
    dirs.push(profileDir, serverDir);
    const [plain, tls, http] = await freePorts(3);
    const child = spawn(process.execPath, [...runSource(join(root, 'main/web/web-main.ts')), '--profile', profileDir], {
      cwd: root,
      env: {
        ...process.env,
        MAGPIE_LOG_LEVEL: 'info',
        MAGPIE_LOCAL_SERVER_DIR: serverDir,
        MAGPIE_NOTIFY_FILE: join(profileDir, 'n.jsonl'),
        MAGPIE_DEMO_PORT: String(plain),
        MAGPIE_DEMO_TLS_PORT: String(tls),
        MAGPIE_DEMO_HTTP_PORT: String(http),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((done) => child.once('exit', done));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = await new Promise<string | undefined>((done) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('(Ctrl+C stops it.)')) done(stderr.split('\n').find((line) => line.includes('local Magpie server ready')));
      });
      child.once('exit', () => done(undefined));
    });
    child.kill('SIGINT');
    await exited;
    expect(ready, stderr).toBeDefined();
    // JSON.parse keeps the last of two equal keys: the raw line is what a reader of the terminal sees
    expect(ready!.match(/"pid":/g)).toHaveLength(1);
    const line = JSON.parse(ready!) as { pid: number; serverPid: number };
    expect(line.pid).toBe(child.pid);
    expect(line.serverPid).toEqual(expect.any(Number));
    expect(line.serverPid).not.toBe(child.pid);
  }, 60_000);
});
