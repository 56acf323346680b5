import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseArgs } from '../../support/test-database';
import { LEARNED_SERVERS_FILE } from '../../../main/cli/learned-servers';
import { openTestCore } from '../../support/test-core';
import { createKeyFileSecretBox } from '../../../main/settings/secret-box';
import { loadRememberedLogin } from '../../../main/settings/settings-file';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { createClientFixture, eventually } from './client-fixture';

const SERVER_BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const CLI_BIN = join(import.meta.dirname, '../../../bin/magpie.js');
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The real magpie-server process, resolved once it prints where it listens. */
function startServerProcess(args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SERVER_BIN, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stdout: ${stdout}`)), 45_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('"listening"')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.resume();
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
}

/*
 * One real server process stands for the cluster. Node A is a TCP proxy to it that each test
 * closes; node B, named by the server's --advertise, is another proxy to the same server, which the
 * clients never hear of but from LOGIN_RESULT. (Two servers on one data folder are not allowed.)
 */
describe('addresses the server advertises at login', () => {
  const fixture = createClientFixture();
  let root: string;
  let server: ChildProcess;
  let serverPort: number;
  let nodeB: CutProxy;
  let app: { appId: string; appToken: string };
  const proxies: CutProxy[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-advertise-'));
    const dataDir = join(root, 'data');
    const admin = async <T>(...args: string[]) => JSON.parse((await run(process.execPath, [SERVER_BIN, ...args, '--data', dataDir, ...testDatabaseArgs(dataDir)])).stdout) as T;
    serverPort = await freePort();
    nodeB = await startCutProxy({ port: serverPort });
    server = await startServerProcess(['--port', String(serverPort), '--http-port', '0', '--data', dataDir, ...testDatabaseArgs(dataDir), '--advertise', nodeB.address]);
    // admin commands work on the data of a server that started (only start makes a data folder)
    const { accountSid } = await admin<{ accountSid: string }>('account', 'create');
    app = await admin<{ appId: string; appToken: string }>('app', 'create', '--account', accountSid, '--name', 'cluster');
  }, 60_000);

  afterEach(async () => {
    await fixture.cleanup();
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  afterAll(async () => {
    await nodeB?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  async function nodeA(): Promise<CutProxy> {
    const proxy = await startCutProxy({ port: serverPort });
    proxies.push(proxy);
    return proxy;
  }

  it('a client that logged in through A reconnects through the advertised B when A goes away', async () => {
    const a = await nodeA();
    const alice = await fixture.client({ ...app, port: serverPort }, 'alice', { servers: [a.address] });
    const learned: string[][] = [];
    alice.events.on('learnedServers', (list) => learned.push(list));
    await alice.start();
    expect(alice.status).toMatchObject({ state: 'online', server: a.address });
    expect(learned).toEqual([[`tcp://${nodeB.address}`]]);
    expect(alice.learnedServers).toEqual([`tcp://${nodeB.address}`]);
    expect(nodeB.accepted).toBe(0);

    await a.close();
    await eventually(() => alice.status.state === 'online' && alice.status.server === nodeB.address, 15_000, () => JSON.stringify(alice.status));
    // still the same session's engine: what it sends goes through B
    expect(nodeB.open).toBe(1);
  }, 30_000);

  it('the desktop core remembers the advertised list, and a restart with A gone signs in through B', async () => {
    const a = await nodeA();
    const profileDir = await fixture.profile();
    const openCore = () => openTestCore(profileDir, { systemLanguage: 'en' });
    const first = openCore();
    try {
      await first.handlers['session.login']({ servers: [a.address], appId: app.appId, auth: { type: 'appToken', user: 'carol', token: app.appToken }, remember: true });
      const remembered = loadRememberedLogin(join(profileDir, 'login.json'), createKeyFileSecretBox(join(profileDir, 'secret.key')));
      // the user's own list stays as given; the advertised one sits beside it
      expect(remembered).toMatchObject({ servers: [a.address], learnedServers: [`tcp://${nodeB.address}`] });
    } finally {
      await first.shutdown();
    }

    await a.close();
    const second = openCore();
    try {
      expect(await second.handlers['session.restore']({})).toMatchObject({ userId: 'carol', servers: [a.address] });
      await eventually(
        () => {
          const info = second.handlers['session.connection']({}) as { state: string; server?: string };
          return info.state === 'online' && info.server === nodeB.address;
        },
        15_000,
        () => JSON.stringify(second.handlers['session.connection']({})),
      );
    } finally {
      await second.shutdown();
    }
  }, 40_000);

  it('the CLI keeps the advertised list in its profile: a later command with the same --server reaches B', async () => {
    const a = await nodeA();
    const profileDir = await fixture.profile();
    const send = (text: string) =>
      run(process.execPath, [CLI_BIN, '--server', a.address, '--app', app.appId, '--token', app.appToken, '--user', 'dave', '--profile', profileDir, '--timeout', '20', 'send', '--to', 'erin', '--text', text]);
    const firstSend = await send('through A');
    expect(JSON.parse(firstSend.stdout)).toMatchObject({ text: 'through A', state: 'sent' });
    expect(JSON.parse(await readFile(join(profileDir, LEARNED_SERVERS_FILE), 'utf8'))).toEqual({ servers: [a.address], learned: [`tcp://${nodeB.address}`] });

    await a.close();
    const acceptedBefore = nodeB.accepted;
    const secondSend = await send('through B');
    expect(JSON.parse(secondSend.stdout)).toMatchObject({ text: 'through B', state: 'sent' });
    expect(nodeB.accepted).toBeGreaterThan(acceptedBefore);
  }, 60_000);
});
