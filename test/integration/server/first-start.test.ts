import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../../server/storage/migrations';
import { TestClient } from '../../support/test-client';
import { dropTestSchema, openServerDatabase, testDatabaseArgs } from '../../support/test-database';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const run = promisify(execFile);

interface Demo {
  accountSid: string;
  appId: string;
  users: { voipAccount: string; voipPwd: string; subAccountSid: string }[];
}

function startArgs(dataDir: string, port = 0): string[] {
  return [BIN, 'start', '--demo', '--port', String(port), '--http-port', '0', '--data', dataDir, '--log-level', 'warn', ...testDatabaseArgs(dataDir)];
}

/** Starts the bin with --demo, resolving once it listens: its port and what it printed before. */
function startServer(dataDir: string): Promise<{ child: ChildProcess; port: number; stdout: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, startArgs(dataDir), { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /"listening":\{[^}]*"port":(\d+)/.exec(stdout);
      if (match) resolve({ child, port: Number(match[1]), stdout, exited });
    });
    void exited.then((code) => reject(new Error(`start exited with ${code}: ${stdout} ${stderr}`)));
  });
}

async function stop(server: { child: ChildProcess; exited: Promise<number | null> }): Promise<void> {
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}

/** The demo a start printed on stdout (before its listening line), or undefined. */
function printedDemo(stdout: string): Demo | undefined {
  const end = stdout.indexOf('{"listening"');
  const head = (end < 0 ? stdout : stdout.slice(0, end)).trim();
  return head === '' ? undefined : (JSON.parse(head) as { demo: Demo }).demo;
}

/** What the database holds of main accounts and sub-accounts. */
function counts(dataDir: string): { accounts: number; subAccounts: string[] } {
  const db = openServerDatabase(dataDir);
  try {
    return {
      accounts: db.prepare<[], number>('SELECT COUNT(*) FROM accounts').pluck().get()!,
      subAccounts: db.prepare<[], string>('SELECT voip_account FROM sub_accounts ORDER BY voip_account').pluck().all(),
    };
  } finally {
    db.close();
  }
}

async function logsIn(port: number, voipAccount: string, voipPwd: string): Promise<string> {
  const client = await TestClient.connect(port);
  try {
    await client.hello();
    return (await client.loginWithPassword(voipAccount, voipPwd)).userId;
  } finally {
    await client.close();
  }
}

describe('a first start with --demo', () => {
  let root: string;
  const folders: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-first-start-'));
  });
  afterAll(async () => {
    for (const folder of folders) dropTestSchema(folder);
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('killed before its demo was made: the next start with --demo makes the whole demo, once', async () => {
    const dataDir = join(root, 'killed');
    folders.push(dataDir);
    const first = spawn(process.execPath, startArgs(dataDir), { stdio: 'ignore' });
    const firstExited = new Promise<NodeJS.Signals | null>((resolve) => first.on('exit', (_code, signal) => resolve(signal)));
    // the key is written right after the migrations, before the demo: killed there, the folder is
    // a used one (a later start is no first start) with no demo in it
    while (!existsSync(join(dataDir, 'server.key'))) await new Promise((resolve) => setTimeout(resolve, 2));
    first.kill('SIGKILL');
    expect(await firstExited).toBe('SIGKILL');

    const second = await startServer(dataDir);
    const demo = printedDemo(second.stdout);
    expect(demo).toBeDefined();
    expect(JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8'))).toEqual(demo);
    expect(counts(dataDir)).toEqual({ accounts: 1, subAccounts: ['alice', 'bob'] });
    for (const user of demo!.users) expect(await logsIn(second.port, user.voipAccount, user.voipPwd)).toBe(user.voipAccount);
    await stop(second);

    // made once: a third start finds it and makes nothing
    const third = await startServer(dataDir);
    expect(printedDemo(third.stdout)).toBeUndefined();
    expect(counts(dataDir)).toEqual({ accounts: 1, subAccounts: ['alice', 'bob'] });
    await stop(third);
  }, 120_000);

  it('once made, is not made again when its users are closed', async () => {
    const dataDir = join(root, 'closed');
    folders.push(dataDir);
    const first = await startServer(dataDir);
    const demo = printedDemo(first.stdout)!;
    await stop(first);
    for (const user of demo.users) await run(process.execPath, [BIN, 'user', 'close', user.subAccountSid, '--data', dataDir, ...testDatabaseArgs(dataDir)]);

    const again = await startServer(dataDir);
    expect(printedDemo(again.stdout)).toBeUndefined();
    expect(counts(dataDir)).toEqual({ accounts: 1, subAccounts: ['alice', 'bob'] });
    expect(JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8'))).toEqual(demo);
    await stop(again);
  }, 120_000);
});

describe('a first start whose port is taken', () => {
  let root: string;
  let taken: Server;
  const folders: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-first-start-port-'));
    taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    for (const folder of folders) dropTestSchema(folder);
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('exits 1 in one line and leaves a folder that a later start on a free port starts cleanly, with the demo it printed', async () => {
    const dataDir = join(root, 'data');
    folders.push(dataDir);
    const port = (taken.address() as AddressInfo).port;
    const failed = await run(process.execPath, startArgs(dataDir, port)).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe(`magpie-server: could not start: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    // no pid file: nothing ran there
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.pid'))).toEqual([]);
    // not half made: every migration ran, the key is there, the demo it printed is in demo.json
    const db = openServerDatabase(dataDir);
    try {
      expect(db.prepare<[], number>('SELECT MAX(version) FROM schema_version').pluck().get()).toBe(migrations.at(-1)!.version);
    } finally {
      db.close();
    }
    expect(existsSync(join(dataDir, 'server.key'))).toBe(true);
    const demo = printedDemo(failed.stdout)!;
    expect(JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8'))).toEqual(demo);

    const later = await startServer(dataDir);
    expect(printedDemo(later.stdout)).toBeUndefined();
    expect(counts(dataDir)).toEqual({ accounts: 1, subAccounts: ['alice', 'bob'] });
    const alice = demo.users.find((user) => user.voipAccount === 'alice')!;
    expect(await logsIn(later.port, alice.voipAccount, alice.voipPwd)).toBe('alice');
    await stop(later);
  }, 120_000);
});
