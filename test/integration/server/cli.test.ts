import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { makeSelfSignedCert } from '../../support/self-signed-cert';
import { TestClient } from '../../support/test-client';
import { testDatabaseArgs } from '../../support/test-database';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The PostgreSQL run (MAGPIE_TEST_DB) gives every command on a data folder the folder's schema. */
function withTestDatabase(args: readonly string[]): string[] {
  const data = args.indexOf('--data');
  return data < 0 || args.includes('--db') ? [...args] : [...args, ...testDatabaseArgs(args[data + 1]!)];
}

async function cli(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...withTestDatabase(args)]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function admin<T>(...args: string[]): Promise<T> {
  const result = await cli(...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** Starts the bin, resolving once it prints where it listens. */
function startServer(
  dataDir: string,
  extra: readonly string[] = ['--demo'],
): Promise<{ child: ChildProcess; port: number; stdout: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...withTestDatabase(['start', '--port', '0', '--http-port', '0', '--data', dataDir, ...extra])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stdout: ${stdout}`)), 45_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /"listening":\{[^}]*"port":(\d+)[^}]*"httpPort":\d+/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), stdout: () => stdout, exited });
      }
    });
    child.stderr!.resume();
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
}

describe('magpie-server CLI', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  const clients: TestClient[] = [];

  async function login(voipAccount: string, voipPwd: string) {
    const client = await TestClient.connect(server.port);
    clients.push(client);
    await client.hello();
    return client.loginWithPassword(voipAccount, voipPwd);
  }

  beforeAll(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'magpie-cli-')), 'data');
    server = await startServer(dataDir);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await rm(join(dataDir, '..'), { recursive: true, force: true, maxRetries: 5 });
  });

  it('creates a demo account, app and users on the first start with --demo, in demo.json (mode 0600)', async () => {
    const printed = JSON.parse(server.stdout().slice(0, server.stdout().indexOf('\n{"listening"'))) as {
      demo: { appId: string; users: { voipAccount: string; voipPwd: string }[] };
    };
    const file = join(dataDir, 'demo.json');
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    const demo = JSON.parse(await readFile(file, 'utf8')) as typeof printed.demo;
    expect(demo).toEqual(printed.demo);
    const alice = demo.users.find((u) => u.voipAccount === 'alice')!;
    const result = await login(alice.voipAccount, alice.voipPwd);
    expect(result.userId).toBe('alice');
    expect(result.appId).toBe(demo.appId);
  });

  it('runs every admin command while the server runs', async () => {
    const account = await admin<{ accountSid: string; authToken: string }>('account', 'create', '--data', dataDir);
    expect(account.accountSid).toMatch(/^[0-9a-f]{32}$/);
    expect(account.authToken).toMatch(/^[0-9a-f]{32}$/);
    const rotated = await admin<{ accountSid: string; authToken: string }>('account', 'rotate-token', '--account', account.accountSid, '--data', dataDir);
    expect(rotated.accountSid).toBe(account.accountSid);
    expect(rotated.authToken).toMatch(/^[0-9a-f]{32}$/);
    expect(rotated.authToken).not.toBe(account.authToken);

    const app = await admin<{ appId: string; appToken: string; state: string }>(
      'app', 'create', '--account', account.accountSid, '--name', 'Chatter', '--data', dataDir,
    );
    expect(app.appId).toMatch(/^[0-9a-f]{32}$/);
    expect(app.state).toBe('online');

    const listed = await admin<{ apps: { appId: string; name: string }[] }>('app', 'list', '--account', account.accountSid, '--data', dataDir);
    expect(listed.apps.map((a) => a.name)).toEqual(['Chatter']);

    const user = await admin<{ subAccountSid: string; subToken: string; voipAccount: string; voipPwd: string; dateCreated: string }>(
      'user', 'create', '--app', app.appId, '--name', 'Wendy', '--data', dataDir,
    );
    expect(Object.keys(user)).toEqual(expect.arrayContaining(['subAccountSid', 'subToken', 'voipAccount', 'voipPwd', 'dateCreated']));
    expect((await login(user.voipAccount, user.voipPwd)).userId).toBe(user.voipAccount);

    const users = await admin<{ users: { friendlyName: string; closed: boolean }[] }>('user', 'list', '--app', app.appId, '--data', dataDir);
    expect(users.users).toEqual([expect.objectContaining({ friendlyName: 'Wendy', closed: false })]);

    await admin('app', 'offline', app.appId, '--data', dataDir);
    await expect(login(user.voipAccount, user.voipPwd)).rejects.toMatchObject({ code: ErrorCode.APP_OFFLINE });
    await admin('app', 'online', app.appId, '--data', dataDir);
    expect((await login(user.voipAccount, user.voipPwd)).userId).toBe(user.voipAccount);

    const closed = await admin<{ closed: boolean }>('user', 'close', user.subAccountSid, '--data', dataDir);
    expect(closed.closed).toBe(true);
    await expect(login(user.voipAccount, user.voipPwd)).rejects.toMatchObject({ code: ErrorCode.SUB_ACCOUNT_CLOSED });
    const reopened = await admin<{ subAccountSid: string; closed: boolean }>('user', 'reopen', user.subAccountSid, '--data', dataDir);
    expect(reopened).toMatchObject({ subAccountSid: user.subAccountSid, closed: false });
    expect((await login(user.voipAccount, user.voipPwd)).userId).toBe(user.voipAccount);
    const unknown = await cli('user', 'reopen', 'nope', '--data', dataDir);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: { code: ErrorCode.USER_NOT_FOUND, name: 'USER_NOT_FOUND' } });
    // thirteen processes, each starting Node and tsx: slow on a shared two-core machine
  }, 150_000);

  it('refuses a taken friendly name and an unknown app with their codes (exit 1)', async () => {
    const demo = JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8')) as { appId: string };
    const taken = await cli('user', 'create', '--app', demo.appId, '--name', 'alice', '--data', dataDir);
    expect(taken.code).toBe(1);
    expect(JSON.parse(taken.stderr)).toMatchObject({ error: { code: ErrorCode.NAME_TAKEN, name: 'NAME_TAKEN' } });
    const missing = await cli('user', 'list', '--app', 'nope', '--data', dataDir);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: ErrorCode.APP_NOT_FOUND } });
  }, 60_000);

  it('refuses a blank or broken --name with INVALID_USER_ID naming the rule, as REST does (exit 1)', async () => {
    const demo = JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8')) as { appId: string; accountSid: string };
    const cases: [string[], string][] = [
      [['user', 'create', '--app', demo.appId, '--name', '   '], 'a friendly name is all spaces'],
      [['user', 'create', '--app', demo.appId, '--name', ''], 'a friendly name is empty'],
      [['user', 'create', '--app', demo.appId, '--name', 'a\tb'], 'a friendly name must not hold control characters'],
      [['user', 'create', '--app', demo.appId, '--name', 'x'.repeat(65)], 'a friendly name has 65 characters'],
      [['app', 'create', '--account', demo.accountSid, '--name', '  '], 'an app name is all spaces'],
    ];
    // each command is a process of its own: they start side by side, and each result is checked
    const results = await Promise.all(cases.map(([args]) => cli(...args, '--data', dataDir)));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i]!;
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      const { error } = JSON.parse(result.stderr) as { error: { code: number; name: string; message: string } };
      expect(error).toMatchObject({ code: ErrorCode.INVALID_USER_ID, name: 'INVALID_USER_ID' });
      expect(error.message.startsWith(message), error.message).toBe(true);
    }
  }, 120_000);

  it('refuses every admin command on a folder with no Magpie data (a mistyped --data), creating nothing', async () => {
    const missing = join(dataDir, '..', 'typo');
    const empty = join(dataDir, '..', 'empty');
    await mkdir(empty);
    const commands = [
      ['account', 'create'],
      ['account', 'rotate-token', '--account', 'abc'],
      ['app', 'create', '--account', 'abc', '--name', 'x'],
      ['app', 'list', '--account', 'abc'],
      ['app', 'online', 'abc'],
      ['user', 'create', '--app', 'abc', '--name', 'x'],
      ['user', 'list', '--app', 'abc'],
      ['user', 'close', 'abc'],
      ['user', 'reopen', 'abc'],
    ];
    // straight to the bin: the PostgreSQL run's helper would make the folder to name its schema;
    // the eighteen processes start side by side, and each result is checked
    const runs = [missing, empty].flatMap((folder) => commands.map((args) => ({ folder, args })));
    const results = await Promise.all(
      runs.map(({ folder, args }) =>
        run(process.execPath, [BIN, ...args, '--data', folder]).then(
          ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
          (e: Result) => e,
        ),
      ),
    );
    for (const [i, { folder, args }] of runs.entries()) {
      const result = results[i]!;
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stdout).toBe('');
      expect(JSON.parse(result.stderr)).toEqual({
        error: { code: ErrorCode.NO_MAGPIE_DATA, name: 'NO_MAGPIE_DATA', message: `no Magpie data in ${folder}: start the server on it first, or check --data` },
      });
    }
    await expect(stat(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(empty)).toEqual([]);
  }, 120_000);

  it('on a taken port says so in one line and exits 1: no log lines, no stack', async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = String((blocker.address() as AddressInfo).port);
    try {
      for (const ports of [['--port', taken, '--http-port', '0'], ['--port', '0', '--http-port', taken]]) {
        // a folder of its own: the test's running server holds dataDir's lock
        const result = await cli('start', ...ports, '--data', join(dataDir, '..', 'port-taken'));
        expect(result.code, ports.join(' ')).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toBe(`magpie-server: could not start: listen EADDRINUSE: address already in use 127.0.0.1:${taken}\n`);
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);

  it.each([
    // the parser's every refusal is in test/unit/server/cli-args.test.ts; these check the exit path
    [['bogus']],
    [['start', '--port', 'eighty']],
    [['start', '--advertise', 'b.example:8883,nohost']],
  ])('exits 2 with a clear message on bad arguments: %j', async (args) => {
    const result = await cli(...args, '--data', dataDir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^magpie-server: .+\n/);
    expect(result.stderr).toContain('usage: magpie-server');
    expect(result.stdout).toBe('');
  });

  it('names the TLS flag and file that cannot serve, in one line, exit 2, before the data folder is made', async () => {
    const dir = join(dataDir, '..', 'tls-files');
    await mkdir(dir, { recursive: true });
    const one = makeSelfSignedCert(dir, ['127.0.0.1'], 'one');
    const two = makeSelfSignedCert(dir, ['127.0.0.1'], 'two');
    const notPem = join(dir, 'photo.png');
    await writeFile(notPem, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const encrypted = join(dir, 'encrypted.key');
    await writeFile(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
    const data = join(dir, 'data');
    const start = (cert: string, key: string) => cli('start', '--port', '0', '--http-port', '0', '--tls-port', '0', '--tls-cert', cert, '--tls-key', key, '--data', data);
    // the five starts run side by side: each is refused before it makes anything
    const cases: [Result, string][] = await Promise.all([
      start(notPem, one.keyFile).then((r): [Result, string] => [r, `magpie-server: --tls-cert ${notPem}: not a PEM certificate (-----BEGIN CERTIFICATE-----)\n`]),
      start(one.certFile, join(dir, 'missing.key')).then((r): [Result, string] => [r, `magpie-server: --tls-key ${join(dir, 'missing.key')}: ENOENT: no such file or directory, open '${join(dir, 'missing.key')}'\n`]),
      start(one.certFile, one.certFile).then((r): [Result, string] => [r, `magpie-server: --tls-key ${one.certFile}: not a PEM private key (-----BEGIN PRIVATE KEY-----)\n`]),
      start(one.certFile, two.keyFile).then((r): [Result, string] => [r, `magpie-server: --tls-key ${two.keyFile} is not the key of --tls-cert ${one.certFile}\n`]),
      start(one.certFile, encrypted).then((r): [Result, string] => [r, `magpie-server: --tls-key ${encrypted}: the key is encrypted: give it without a passphrase (openssl pkey -in KEY -out PLAIN.key)\n`]),
    ]);
    for (const [result, stderr] of cases) {
      expect(result.stderr).toBe(stderr);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
    }
    // nothing of a server's was made (on PostgreSQL the test run itself names the folder's schema in it)
    const made = await readdir(data).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
    expect(made.filter((name) => name !== '.magpie-test-schema')).toEqual([]);
  }, 60_000);

  it('refuses a --host it cannot listen on in one line, before the data folder is made', async () => {
    const root = join(dataDir, '..', 'bad-host');
    const start = (host: string) => cli('start', '--host', host, '--port', '0', '--http-port', '0', '--data', join(root, host));
    // side by side: each is refused before it makes anything
    const [address, spaced, unknown, elsewhere] = await Promise.all([start('999.1.1.1'), start('a b'), start('nosuch.invalid'), start('192.0.2.1')]);
    // not an address or name at all: a bad argument
    expect(address).toEqual({ code: 2, stdout: '', stderr: 'magpie-server: --host 999.1.1.1: not an IP address or host name\n' });
    expect(spaced).toEqual({ code: 2, stdout: '', stderr: 'magpie-server: --host a b: not an IP address or host name\n' });
    // a name that resolves to nothing, an address of no interface here: like a port that is taken
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^magpie-server: could not start: --host nosuch\.invalid: getaddrinfo (ENOTFOUND|EAI_AGAIN) nosuch\.invalid\n$/);
    expect(elsewhere).toEqual({ code: 1, stdout: '', stderr: 'magpie-server: could not start: --host 192.0.2.1: listen EADDRNOTAVAIL: address not available 192.0.2.1\n' });
    // no folder was made (on PostgreSQL the test run itself names the folder's schema in it)
    for (const host of ['999.1.1.1', 'a b', 'nosuch.invalid', '192.0.2.1']) {
      const made = await readdir(join(root, host)).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
      expect(made.filter((name) => name !== '.magpie-test-schema'), host).toEqual([]);
    }
  }, 60_000);

  it('with no command prints the usage on stderr and exits 2; --help prints it on stdout and exits 0', async () => {
    const [none, help] = await Promise.all([cli(), cli('--help')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^magpie-server: no command given\n/);
    expect(none.stderr).toContain('usage: magpie-server');
    expect(none.stdout).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: magpie-server/);
    expect(help.stderr).toBe('');
  });

  it('without --demo creates no app, prints no secret, and an account made with the admin commands logs in', async () => {
    const plainDir = join(dataDir, '..', 'plain');
    const plain = await startServer(plainDir, []);
    try {
      expect(plain.stdout().trim().split('\n')).toEqual([expect.stringMatching(/^\{"listening":/)]);
      await expect(stat(join(plainDir, 'demo.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      const account = await admin<{ accountSid: string }>('account', 'create', '--data', plainDir);
      const app = await admin<{ appId: string }>('app', 'create', '--account', account.accountSid, '--name', 'Real', '--data', plainDir);
      const apps = await admin<{ apps: unknown[] }>('app', 'list', '--account', account.accountSid, '--data', plainDir);
      expect(apps.apps).toHaveLength(1);
      const user = await admin<{ voipAccount: string; voipPwd: string }>('user', 'create', '--app', app.appId, '--name', 'Ann', '--data', plainDir);
      const client = await TestClient.connect(plain.port);
      clients.push(client);
      await client.hello();
      expect((await client.loginWithPassword(user.voipAccount, user.voipPwd)).appId).toBe(app.appId);
    } finally {
      plain.child.kill('SIGTERM');
      await plain.exited;
    }
  }, 120_000);

  it('stops on SIGTERM with exit code 0, and a restart keeps the data without a new demo', async () => {
    const client = await TestClient.connect(server.port);
    clients.push(client);
    await client.hello();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await client.waitClosed();
    const shutdown = client.pushes.find((f) => f.name === 'ERROR');
    expect(shutdown?.name === 'ERROR' && shutdown.body.code).toBe(ErrorCode.SERVER_SHUTTING_DOWN);

    const demo = JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8')) as { users: { voipAccount: string; voipPwd: string }[] };
    server = await startServer(dataDir);
    expect(server.stdout()).not.toContain('"demo"');
    const bob = demo.users.find((u) => u.voipAccount === 'bob')!;
    expect((await login(bob.voipAccount, bob.voipPwd)).userId).toBe('bob');
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  }, 60_000);
});

describe('the database URL (--db)', () => {
  it('refuses what is not a postgres:// URL as a usage error (exit 2), before anything opens', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-cli-db-'));
    try {
      const urls = ['nope', 'mysql://h/db', 'postgres://h/db?schema=a-b'];
      const results = await Promise.all(urls.map((url) => cli('account', 'create', '--data', dir, '--db', url)));
      for (const [i, url] of urls.entries()) {
        const result = results[i]!;
        expect(result.code, url).toBe(2);
        expect(result.stderr).toMatch(/^magpie-server: --db: /);
        expect(result.stdout).toBe('');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops with one line and exit 4 when the database cannot be reached, for start and the admin commands', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-cli-db-'));
    try {
      const url = 'postgres://postgres@127.0.0.1:1/test?connect_timeout=2';
      // a folder a node has used (its server key): admin commands refuse one without (NO_MAGPIE_DATA)
      await writeFile(join(dir, 'server.key'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
      const commands = [['start', '--port', '0', '--http-port', '0'], ['account', 'create']];
      const results = await Promise.all(commands.map((args) => cli(...args, '--data', dir, '--db', url)));
      for (const [i, args] of commands.entries()) {
        const result = results[i]!;
        expect(result.code, args[0]).toBe(4);
        expect(result.stderr).toMatch(/^magpie-server: cannot use the database: cannot connect to PostgreSQL: .*127\.0\.0\.1.*\n$/);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
