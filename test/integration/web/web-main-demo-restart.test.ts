import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopLocalServer } from '../../../main/local-server/local-server';
import { portAccepts, readRecord } from '../../../main/local-server/local-server-identity';
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The user stops the demo server (`kill PID`) while the page runs, then starts Magpie again, as
 * the README says: the profile is in use, so the new run points at the open page, and it brings
 * the demo server back for that page on the same ports.
 */
describe('npm run web again while the page runs and its demo server was stopped', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGINT');
      await exited;
    }
    for (const dir of dirs) await stopLocalServer(dir).catch(() => false);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('starts the demo server again on its ports and says so, then points at the page already open (exit 3)', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'magpie-web-again-'));
    const serverDir = mkdtempSync(join(tmpdir(), 'magpie-web-again-server-'));
    dirs.push(profileDir, serverDir);
    const [plain, tls, http] = (await freePorts(3)) as [number, number, number];
    const env = {
      ...process.env,
      MAGPIE_LOG_LEVEL: 'warn',
      MAGPIE_LOCAL_SERVER_DIR: serverDir,
      MAGPIE_NOTIFY_FILE: join(profileDir, 'n.jsonl'),
      MAGPIE_DEMO_PORT: String(plain),
      MAGPIE_DEMO_TLS_PORT: String(tls),
      MAGPIE_DEMO_HTTP_PORT: String(http),
    };
    const run = (): ChildProcess => {
      const child = spawn(process.execPath, [...runSource(join(root, 'main/web/web-main.ts')), '--profile', profileDir], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    };
    const first = run();
    let firstOut = '';
    await new Promise<void>((done, fail) => {
      first.stdout!.on('data', (chunk: Buffer) => {
        firstOut += chunk.toString();
        if (firstOut.includes('(Ctrl+C stops it.)')) done();
      });
      first.once('exit', (code) => fail(new Error(`the first web shell exited with ${code}`)));
    });
    const pageUrl = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(firstOut)![0];
    const before = readRecord(serverDir)!.pid!;
    expect(await stopLocalServer(serverDir)).toBe(true);
    expect(isAlive(before)).toBe(false);
    expect(await portAccepts('127.0.0.1', plain)).toBe(false);

    const second = run();
    let stderr = '';
    second.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => second.once('exit', done));
    expect(code, stderr).toBe(3);
    expect(stderr).toContain(pageUrl);
    const after = readRecord(serverDir)!;
    expect(after).toMatchObject({ port: plain, tlsPort: tls, httpPort: http });
    expect(after.pid).toBeDefined();
    expect(after.pid).not.toBe(before);
    expect(isAlive(after.pid!)).toBe(true);
    expect(await portAccepts('127.0.0.1', plain)).toBe(true);
    expect(stderr).toContain(`Started the local demo server again on 127.0.0.1:${plain} (pid ${after.pid})`);
    // said before the pointer to the open page, which stays the last thing read
    expect(stderr.indexOf('Started the local demo server again')).toBeLessThan(stderr.indexOf('already open'));
  }, 90_000);
});
