import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopLocalServer } from '../../../main/local-server/local-server';
import { portIsFree } from '../../../main/web/web-ports';
import { runSource } from '../../support/run-source';

const root = resolve(import.meta.dirname, '../../..');

/**
 * `npm run web`'s ports (without the build step): the page's and the demo server's come from flags
 * or variables, and one that is taken is said in one line naming it and how to pick another.
 */
interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves once the page's address is printed, or the process has exited. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function runWeb(args: readonly string[], env: Record<string, string>, dirs: string[], sharedServerDir?: string): Run {
  const profileDir = mkdtempSync(join(tmpdir(), 'magpie-web-ports-'));
  const serverDir = sharedServerDir ?? mkdtempSync(join(tmpdir(), 'magpie-web-ports-server-'));
  dirs.push(profileDir, serverDir);
  const child = spawn(process.execPath, [...runSource(join(root, 'main/web/web-main.ts')), '--profile', profileDir, ...args], {
    cwd: root,
    env: { ...process.env, MAGPIE_LOG_LEVEL: 'silent', MAGPIE_LOCAL_SERVER_DIR: serverDir, MAGPIE_NOTIFY_FILE: join(profileDir, 'n.jsonl'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { child, stdout: '', stderr: '', ready: Promise.resolve(), exited: Promise.resolve(null) };
  run.exited = new Promise((done) => child.once('exit', (code) => done(code)));
  run.ready = new Promise((done) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      run.stdout += chunk.toString();
      if (/\(Ctrl\+C stops it\.\)/u.test(run.stdout)) done();
    });
    child.stderr!.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    child.once('exit', () => done());
  });
  return run;
}

/** Something else on a port (one the system picks), as a program that is not Magpie would be. */
function occupy(): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer((socket) => socket.end());
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done(server));
  });
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

/** Ports free right now (the system's picks, let go at once): the test runs beside other runs of itself. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => occupy()));
  const ports = servers.map(portOf);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

describe('npm run web: its ports', () => {
  const dirs: string[] = [];
  const runs: Run[] = [];
  const held: Server[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) {
      if (run.child.exitCode === null) {
        run.child.kill('SIGINT');
        await run.exited;
      }
    }
    for (const server of held.splice(0)) await new Promise((done) => server.close(done));
    for (const dir of dirs) await stopLocalServer(dir).catch(() => false);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('a taken page port is one line naming it and --port / MAGPIE_WEB_PORT, no stack, exit 1', async () => {
    const taken = await occupy();
    held.push(taken);
    const run = runWeb(['--no-local-server', '--port', String(portOf(taken))], {}, dirs);
    runs.push(run);
    expect(await run.exited).toBe(1);
    expect(run.stderr.trim()).toBe(
      `Port ${portOf(taken)} on 127.0.0.1 (the page) is taken by another program: pick another with --port N or MAGPIE_WEB_PORT=N, or 0 for any free port.`,
    );
  }, 60_000);

  it('the page port comes from MAGPIE_WEB_PORT; a flag wins over it', async () => {
    const [envPort, flagPort] = await freePorts(2);
    const fromEnv = runWeb(['--no-local-server'], { MAGPIE_WEB_PORT: String(envPort) }, dirs);
    runs.push(fromEnv);
    await fromEnv.ready;
    expect(fromEnv.stdout).toContain(`http://127.0.0.1:${envPort}/?token=`);
    const fromFlag = runWeb(['--no-local-server', '--port', String(flagPort)], { MAGPIE_WEB_PORT: String(envPort) }, dirs);
    runs.push(fromFlag);
    await fromFlag.ready;
    expect(fromFlag.stdout).toContain(`http://127.0.0.1:${flagPort}/?token=`);
    const bad = runWeb(['--no-local-server'], { MAGPIE_WEB_PORT: 'eighty' }, dirs);
    runs.push(bad);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('MAGPIE_WEB_PORT must be a port number (0-65535), not "eighty"');
  }, 60_000);

  it("the demo server's client port taken (by flag): one line naming it and --demo-port, and the page still opens", async () => {
    const taken = await occupy();
    held.push(taken);
    const [tls, http] = await freePorts(2);
    const run = runWeb(['--demo-port', String(portOf(taken)), '--demo-tls-port', String(tls), '--demo-http-port', String(http)], {}, dirs);
    runs.push(run);
    await run.ready;
    expect(run.stdout).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?token=/u);
    expect(run.stderr.trim()).toBe(
      `No local demo server: Port ${portOf(taken)} on 127.0.0.1 (the demo server's client port) is taken by another program: pick another with --demo-port N or MAGPIE_DEMO_PORT=N.`,
    );
  }, 60_000);

  it("the demo server's HTTP port taken (ports by variables): one line naming it and MAGPIE_DEMO_HTTP_PORT, not the server's log", async () => {
    const taken = await occupy();
    held.push(taken);
    const [plain, tls] = await freePorts(2);
    const run = runWeb([], { MAGPIE_DEMO_PORT: String(plain), MAGPIE_DEMO_TLS_PORT: String(tls), MAGPIE_DEMO_HTTP_PORT: String(portOf(taken)) }, dirs);
    runs.push(run);
    await run.ready;
    expect(run.stderr.trim()).toBe(
      `No local demo server: Port ${portOf(taken)} on 127.0.0.1 (the demo server's HTTP port) is taken by another program: pick another with --demo-http-port N or MAGPIE_DEMO_HTTP_PORT=N.`,
    );
  }, 60_000);

  it('free demo ports from the variables: the demo server starts there, and the console is named on its HTTP port', async () => {
    // ports picked free may be taken by another suite before the server binds them: picked again then
    let plain = 0;
    let tls = 0;
    let http = 0;
    let run: Run | undefined;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      [plain, tls, http] = (await freePorts(3)) as [number, number, number];
      run = runWeb([], { MAGPIE_DEMO_PORT: String(plain), MAGPIE_DEMO_TLS_PORT: String(tls), MAGPIE_DEMO_HTTP_PORT: String(http) }, dirs);
      runs.push(run);
      await run.ready;
      await new Promise((done) => setTimeout(done, 300));
      if (!run.stderr.includes('is taken by another program')) break;
    }
    if (!run) throw new Error('no run');
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`Demo server 127.0.0.1:${plain}`);
    expect(run.stdout).toContain(`Developer console: http://127.0.0.1:${http}/console`);

    // the same user's folder with other ports: no second server on that folder, and one line naming
    // the flags that use the running one, and its pid to stop it
    const serverDir = dirs[dirs.length - 1]!; // the first run's server folder, the last one pushed
    const [otherPlain, otherTls, otherHttp] = await freePorts(3);
    const moved = runWeb(['--demo-port', String(otherPlain), '--demo-tls-port', String(otherTls), '--demo-http-port', String(otherHttp)], {}, dirs, serverDir);
    runs.push(moved);
    await moved.ready;
    expect(moved.stderr.trim()).toMatch(
      new RegExp(
        `^No local demo server on the ports asked for: this user's demo server already runs on 127\\.0\\.0\\.1:${plain} \\(TLS ${tls}, HTTP ${http}\\)\\. ` +
          `To use it, start with --demo-port ${plain} --demo-tls-port ${tls} --demo-http-port ${http}, or with no --demo-\\* flags and no MAGPIE_DEMO_\\* variables; ` +
          `to move it, stop it first \\(kill \\d+\\)\\.$`,
        'u',
      ),
    );
    expect(await portIsFree('127.0.0.1', otherPlain!)).toBe(true);

    // a plain run (no flag, no variable) reuses the moved server, and names its console, not 8885
    const plainRun = runWeb([], {}, dirs, serverDir);
    runs.push(plainRun);
    await plainRun.ready;
    await new Promise((done) => setTimeout(done, 300));
    expect(plainRun.stderr).toBe('');
    expect(plainRun.stdout).toContain(`Demo server 127.0.0.1:${plain}`);
    expect(plainRun.stdout).toContain(`Developer console: http://127.0.0.1:${http}/console`);
  }, 120_000);

  it('a taken page port is said before any demo server starts: none is left behind', async () => {
    const taken = await occupy();
    held.push(taken);
    const [plain, tls, http] = await freePorts(3);
    const run = runWeb(['--port', String(portOf(taken)), '--demo-port', String(plain), '--demo-tls-port', String(tls), '--demo-http-port', String(http)], {}, dirs);
    runs.push(run);
    expect(await run.exited).toBe(1);
    expect(run.stderr.trim()).toBe(
      `Port ${portOf(taken)} on 127.0.0.1 (the page) is taken by another program: pick another with --port N or MAGPIE_WEB_PORT=N, or 0 for any free port.`,
    );
    expect(await portIsFree('127.0.0.1', plain!)).toBe(true);
  }, 60_000);

  it('two of the ports given the same number: one line naming both, exit 2', async () => {
    const run = runWeb(['--demo-port', '9883'], { MAGPIE_DEMO_TLS_PORT: '9883' }, dirs);
    runs.push(run);
    expect(await run.exited).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('--demo-port and MAGPIE_DEMO_TLS_PORT are both port 9883: each needs its own port');
  }, 60_000);
});
