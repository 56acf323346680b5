import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const run = promisify(execFile);

async function server(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Exit 3 and one line on stderr that names the folder: no stack trace. */
function expectDataFolderError(result: { code: number; stdout: string; stderr: string }, dataDir: string): void {
  expect(result.code).toBe(3);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^magpie-server: cannot use the data folder ${dataDir}: `));
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

/** Admin commands on a folder that holds no server's data: exit 3, the NO_MAGPIE_DATA line, nothing made. */
function expectNoMagpieData(result: { code: number; stdout: string; stderr: string }, dataDir: string): void {
  expect(result.code).toBe(3);
  expect(result.stdout).toBe('');
  expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: ErrorCode.NO_MAGPIE_DATA, message: `no Magpie data in ${dataDir}: start the server on it first, or check --data` } });
}

/** A first start makes the folder's database and key; SIGTERM then stops it. */
async function startAndStop(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--http-port', '0', '--data', dataDir, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('"listening"')) resolve();
    });
    void exited.then((code) => reject(new Error(`start exited with ${code}`)));
  });
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}

/** Root ignores permission bits: a read-only bind mount is what stops root from writing. */
function mountReadOnly(folder: string): string {
  execFileSync('mount', ['--bind', folder, folder]);
  execFileSync('mount', ['-o', 'remount,bind,ro', folder]);
  return folder;
}

describe('an unusable data folder', () => {
  let root: string;
  const mounts: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-datadir-'));
  });
  afterAll(async () => {
    for (const mount of mounts) execFileSync('umount', [mount]);
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('where a file stands in the way: start and admin commands say so in one line and exit 3', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    const dataDir = join(file, 'data');
    expectDataFolderError(await server('start', '--port', '0', '--http-port', '0', '--data', dataDir), dataDir);
    expectNoMagpieData(await server('account', 'create', '--data', dataDir), dataDir);
  }, 90_000);

  it('that cannot be written (a read-only file system, or no write permission)', async () => {
    const dataDir = join(root, 'ro', 'data');
    // only start makes a data folder (admin commands refuse one with no data)
    await startAndStop(dataDir);
    if (process.getuid?.() === 0) {
      // root ignores permission bits: a read-only mount is what stops root from writing
      mounts.push(mountReadOnly(join(root, 'ro')));
    } else {
      await chmod(join(dataDir, 'magpie.db'), 0o400);
      await chmod(dataDir, 0o500);
    }
    expectDataFolderError(await server('start', '--port', '0', '--http-port', '0', '--data', dataDir), dataDir);
  }, 90_000);

  it('below /proc: start and admin commands exit 3 at once with the system reason, never spin', async () => {
    const dataDir = '/proc/magpie-data';
    const began = Date.now();
    const started = await server('start', '--port', '0', '--http-port', '0', '--data', dataDir);
    expectDataFolderError(started, dataDir);
    expect(started.stderr).toMatch(/ENOENT/);
    expectNoMagpieData(await server('account', 'create', '--data', join(dataDir, 'deeper')), join(dataDir, 'deeper'));
    // each run is a Node start-up (a second or two); a spinning mkdir would hit the 60 s timeout
    expect(Date.now() - began).toBeLessThan(20_000);
  }, 90_000);

  it('to be made in a read-only folder: the message gives the real reason (EROFS), not ENOENT', async () => {
    const parent = join(root, 'ro-parent');
    await mkdir(parent);
    if (process.getuid?.() === 0) mounts.push(mountReadOnly(parent));
    else await chmod(parent, 0o500);
    const dataDir = join(parent, 'new', 'data');
    const started = await server('start', '--port', '0', '--http-port', '0', '--data', dataDir);
    expectDataFolderError(started, dataDir);
    expect(started.stderr).toMatch(process.getuid?.() === 0 ? /EROFS: read-only file system, mkdir/ : /EACCES/);
    // an admin command makes no folder: there is no data there to work on
    expectNoMagpieData(await server('account', 'create', '--data', dataDir), dataDir);
  }, 90_000);
});

/** Starts the bin in the background; `listening` resolves once it prints where it listens. */
function startInBackground(dataDir: string, extra: readonly string[] = []) {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--http-port', '0', '--data', dataDir, '--log-level', 'silent', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /"listening":\{[^}]*"port":(\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`start exited with ${code}: ${stderr}`)));
  });
  // a start the test kills on purpose never listens: only whoever awaits it hears so
  listening.catch(() => undefined);
  return { child, exited, listening, stdout: () => stdout };
}

describe('a used data folder whose database is gone', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-lostdb-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  /** Exit 3, one line naming the folder, what is wrong with magpie.db, and how to start afresh. */
  function expectRefused(result: { code: number; stdout: string; stderr: string }, dataDir: string, what: string): void {
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^magpie-server: the data folder ${dataDir} was used by a Magpie server \\(it holds [^)]*server\\.key[^)]*\\) but its database magpie\\.db ${what}: `));
    expect(lines[0]).toContain('move the folder aside and start on a new one');
  }

  it('is refused with exit 3 when magpie.db was emptied, deleted or replaced by an empty database, and starts again once it is back', async () => {
    const dataDir = join(root, 'used');
    await startAndStop(dataDir);
    const account = JSON.parse((await server('account', 'create', '--data', dataDir)).stdout) as { accountSid: string };
    const db = join(dataDir, 'magpie.db');
    const saved = await readFile(db);
    const start = () => server('start', '--port', '0', '--http-port', '0', '--data', dataDir);

    await truncate(db, 0);
    expectRefused(await start(), dataDir, 'is empty \\(0 bytes\\)');
    expect((await stat(db)).size).toBe(0);
    // an admin command refuses it too, before opening it: SQLite opening a 0-byte database
    // deletes the write-ahead log beside it, which may hold what a first start wrote
    const wal = Buffer.from('what a killed first start left in the log');
    await writeFile(`${db}-wal`, wal);
    const admin = await server('account', 'create', '--data', dataDir);
    expect(admin.code).toBe(3);
    expect(JSON.parse(admin.stderr)).toMatchObject({ error: { code: ErrorCode.DATABASE_MISSING, name: 'DATABASE_MISSING' } });
    expect(await readFile(`${db}-wal`)).toEqual(wal);
    await rm(`${db}-wal`);

    await rm(db);
    expectRefused(await start(), dataDir, 'is missing');
    // nothing was made in its place
    await expect(stat(db)).rejects.toMatchObject({ code: 'ENOENT' });

    new BetterSqlite3(db).pragma('journal_mode = WAL');
    expectRefused(await start(), dataDir, 'holds no Magpie tables');

    await writeFile(db, saved);
    await rm(`${db}-wal`, { force: true });
    await rm(`${db}-shm`, { force: true });
    await startAndStop(dataDir);
    const apps = await server('app', 'list', '--account', account.accountSid, '--data', dataDir);
    expect(apps.code).toBe(0);
  }, 120_000);

  it('is refused whatever trace of a server is left: a pid file, stored files, demo.json', async () => {
    for (const trace of ['server.pid', 'server-n1.pid', 'demo.json', join('files', 'blobs', 'ab', 'ab12')]) {
      const dataDir = join(root, `trace-${trace.replaceAll('/', '-')}`);
      await mkdir(join(dataDir, trace, '..'), { recursive: true });
      await writeFile(join(dataDir, trace), '1\n');
      const result = await server('start', '--port', '0', '--http-port', '0', '--data', dataDir);
      expect(result.code, trace).toBe(3);
      expect(result.stderr, trace).toContain(`it holds ${trace.startsWith('files') ? 'files/blobs/' : trace})`);
      await expect(stat(join(dataDir, 'magpie.db'))).rejects.toMatchObject({ code: 'ENOENT' });
    }
  }, 120_000);

  it('still starts a new folder: an empty one, one with an empty files/ mount, and a first start with --demo', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    await startAndStop(empty);
    const mounted = join(root, 'mounted');
    await mkdir(join(mounted, 'files', 'lost+found'), { recursive: true });
    await startAndStop(mounted);
    const demo = startInBackground(join(root, 'demo'), ['--demo']);
    await demo.listening;
    expect(demo.stdout()).toContain('"demo"');
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  }, 120_000);

  it.each([['magpie.db'], ['server.key']])('starts again after its very first start was killed once %s appeared', async (file) => {
    const dataDir = join(root, `killed-${file}`);
    const first = startInBackground(dataDir, ['--demo']);
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (!existsSync(join(dataDir, file))) return;
        clearInterval(poll);
        first.child.kill('SIGKILL');
        resolve();
      }, 1);
      void first.exited.then(() => {
        clearInterval(poll);
        reject(new Error(`the first start ended by itself before ${file} appeared`));
      });
    });
    await first.exited;
    const again = startInBackground(dataDir);
    await again.listening;
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 120_000);
});

describe('a second server on the same data folder', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-second-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('is refused in one line with exit 3 while the first serves on, and starts once the first stopped', async () => {
    const dataDir = join(root, 'data');
    const first = startInBackground(dataDir);
    try {
      const port = await first.listening;
      const second = await server('start', '--port', '0', '--http-port', '0', '--data', dataDir);
      expect(second).toEqual({
        code: 3,
        stdout: '',
        stderr:
          `magpie-server: cannot use the data folder ${dataDir}: another Magpie server is using this data folder ` +
          '(stop it first, or give this one another --data folder; an admin command holds it only for a moment)\n',
      });
      // the first is untouched: its pid file, its port
      expect(Number((await readFile(join(dataDir, 'server.pid'), 'utf8')).trim())).toBe(first.child.pid);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exited).toBe(0);
    await startAndStop(dataDir);
  }, 120_000);
});
