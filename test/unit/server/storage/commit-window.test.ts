import BetterSqlite3 from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDataFolderError } from '../../../../server/cli/data-folder-error';
import { REDO_LOG_SUFFIX, RedoLogError } from '../../../../server/storage/commit-window';
import { DATABASE_FILE, DataFolderInUseError, openDatabase, sqliteConnection } from '../../../../server/storage/database';
import type { SqlDatabase } from '../../../../server/storage/sql-database';

const WRITER = new URL('./window-writer.main.ts', import.meta.url).pathname;

/** Runs the writer child; it kills itself with SIGKILL once its writes are done. */
function killedWriter(dataDir: string, windowMs: number, count: number): Promise<{ wrote: number; last: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', WRITER, dataDir, String(windowMs), String(count)], { timeout: 30_000 }, (error, stdout) => {
      if (error === null || (error as { signal?: string }).signal !== 'SIGKILL') {
        reject(error ?? new Error('the writer was not killed'));
        return;
      }
      resolve(JSON.parse(stdout) as { wrote: number; last: number });
    });
  });
}

const serverOptions = (windowMs: number) => ({ busyTimeoutMs: 1000, server: { commitWindow: { windowMs, gapMs: 0, maxLogBytes: 1 << 30 } } });

describe('the commit window', () => {
  let dir: string;
  let db: SqlDatabase | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-window-'));
  });
  afterEach(async () => {
    if (db?.open) db.close();
    db = undefined;
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const logFile = () => join(dir, DATABASE_FILE + REDO_LOG_SUFFIX);
  /** Another connection, as an admin command's would be: it sees only what is committed. */
  const committedRows = () => {
    const other = new BetterSqlite3(join(dir, DATABASE_FILE), { readonly: true });
    try {
      return other.prepare('SELECT COUNT(*) FROM rows').pluck().get() as number;
    } finally {
      other.close();
    }
  };

  function openWithTable(windowMs: number): SqlDatabase {
    const opened = openDatabase(dir, serverOptions(windowMs));
    opened.exec('CREATE TABLE IF NOT EXISTS rows (n INTEGER PRIMARY KEY, body BLOB, note TEXT)');
    return opened;
  }

  it('shows a write at once on its own connection, to others once the window commits', async () => {
    db = openWithTable(60_000);
    const insert = db.prepare('INSERT INTO rows (n) VALUES (?)');
    db.transaction(() => insert.run(1))();
    expect(db.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(1);
    expect(committedRows()).toBe(0);
    expect(statSync(logFile()).size).toBeGreaterThan(0);
    db.settle!();
    expect(committedRows()).toBe(1);
    // committed: the log starts over
    expect(statSync(logFile()).size).toBe(0);
  });

  it('commits on its timer', async () => {
    db = openWithTable(30);
    const insert = db.prepare('INSERT INTO rows (n) VALUES (?)');
    db.transaction(() => insert.run(1))();
    expect(committedRows()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(committedRows()).toBe(1);
  });

  it('commits early once the log passes its size bound', async () => {
    db = openDatabase(dir, { busyTimeoutMs: 1000, server: { commitWindow: { windowMs: 60_000, gapMs: 0, maxLogBytes: 64 } } });
    db.exec('CREATE TABLE IF NOT EXISTS rows (n INTEGER PRIMARY KEY, body BLOB, note TEXT)');
    db.transaction(() => db!.prepare('INSERT INTO rows (n, note) VALUES (?, ?)').run(1, 'x'.repeat(100)))();
    expect(committedRows()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(committedRows()).toBe(1);
    expect(statSync(logFile()).size).toBe(0);
  });

  it('commits the window before a write outside any transaction, keeping their order', () => {
    db = openWithTable(60_000);
    db.transaction(() => db!.prepare('INSERT INTO rows (n) VALUES (?)').run(1))();
    db.prepare('INSERT INTO rows (n) VALUES (?)').run(2);
    expect(committedRows()).toBe(2);
  });

  /**
   * What a restart after a crash does with this window: the database as the window found it
   * (its rows gone, the window before it the last committed), then the log run again.
   */
  function replayFromScratch(): void {
    const saved = logFile() + '.saved';
    copyFileSync(logFile(), saved);
    db!.close();
    db = undefined;
    const reopenedFrom = new BetterSqlite3(join(dir, DATABASE_FILE));
    reopenedFrom.exec('DELETE FROM rows');
    reopenedFrom.prepare('UPDATE redo_window SET window = window - 1').run();
    reopenedFrom.close();
    copyFileSync(saved, logFile());
    db = openDatabase(dir, serverOptions(60_000));
  }

  it('logs a buffer as it was when its statement ran', () => {
    db = openWithTable(60_000);
    const insert = db.prepare('INSERT INTO rows (n, body) VALUES (?, ?)');
    const body = Buffer.from([1, 2, 3]);
    db.transaction(() => {
      insert.run(1, body);
      body[0] = 9;
    })();
    replayFromScratch();
    expect(db.prepare('SELECT body FROM rows WHERE n = 1').pluck().get()).toEqual(Buffer.from([1, 2, 3]));
  });

  it('keeps a failed transaction out of the database and out of the log', async () => {
    db = openWithTable(60_000);
    const insert = db.prepare('INSERT INTO rows (n, note) VALUES (?, ?)');
    db.transaction(() => insert.run(1, 'kept'))();
    expect(() =>
      db!.transaction(() => {
        insert.run(2, 'rolled back');
        insert.run(1, 'a duplicate key');
      })(),
    ).toThrow(/UNIQUE/);
    // a savepoint inside that failed alone
    db.transaction(() => {
      insert.run(3, 'kept');
      try {
        db!.transaction(() => insert.run(1, 'fails alone'))();
      } catch {
        // expected
      }
    })();
    replayFromScratch();
    expect(db.prepare('SELECT n, note FROM rows ORDER BY n').all()).toEqual([
      { n: 1, note: 'kept' },
      { n: 3, note: 'kept' },
    ]);
  });

  it('loses nothing a killed process wrote, and runs nothing twice', { timeout: 60_000 }, async () => {
    // a window longer than the run: none of it is committed when the process dies
    const first = await killedWriter(dir, 600_000, 500);
    expect(first).toEqual({ wrote: 500, last: 500 });
    expect(existsSync(logFile())).toBe(true);
    expect(statSync(logFile()).size).toBeGreaterThan(0);
    // again, on top of the replayed database: its start reads the rows the replay put back
    const second = await killedWriter(dir, 600_000, 300);
    expect(second).toEqual({ wrote: 300, last: 800 });
    // and with short windows, so that some commit and some do not
    const third = await killedWriter(dir, 5, 2_000);
    expect(third).toEqual({ wrote: 2_000, last: 2_800 });
    db = openDatabase(dir, serverOptions(60_000));
    expect(db.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(2_800);
    expect(db.prepare('SELECT MAX(n) FROM rows').pluck().get()).toBe(2_800);
    // the counter was bumped once per row: no record ran twice
    expect(db.prepare('SELECT value FROM counter').pluck().get()).toBe(2_800);
    expect(db.prepare('SELECT body, note FROM rows WHERE n = 777').get()).toEqual({ body: Buffer.from([777 & 255, 1, 2]), note: 'row 777 鹊' });
    expect(statSync(logFile()).size).toBe(0);
  });

  it('skips records of a window that did commit (a crash between the commit and emptying the log)', () => {
    db = openWithTable(60_000);
    db.exec('CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0)');
    const bump = db.prepare('UPDATE counter SET value = value + 1 WHERE id = 1');
    db.transaction(() => bump.run())();
    db.transaction(() => bump.run())();
    const saved = logFile() + '.saved';
    copyFileSync(logFile(), saved);
    db.settle!();
    db.close();
    copyFileSync(saved, logFile());
    db = openDatabase(dir, serverOptions(60_000));
    expect(db.prepare('SELECT value FROM counter').pluck().get()).toBe(2);
    expect(statSync(logFile()).size).toBe(0);
  });

  it('drops a record cut short, or a tail of zeros, at the end of the log and keeps the ones before it', async () => {
    await killedWriter(dir, 600_000, 50);
    // a crash of the machine can leave half a record behind
    appendFileSync(logFile(), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5]));
    db = openDatabase(dir, serverOptions(60_000));
    expect(db.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(50);
    db.close();
    await killedWriter(dir, 600_000, 50);
    // or blocks of zeros where the file system had not written the data yet
    appendFileSync(logFile(), Buffer.alloc(4096));
    db = openDatabase(dir, serverOptions(60_000));
    expect(db.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(100);
  }, 30_000);

  it('runs only the window after the committed one: a later one would run on a state it was not written on', () => {
    db = openWithTable(60_000);
    db.transaction(() => db!.prepare('INSERT INTO rows (n) VALUES (?)').run(1))();
    const saved = logFile() + '.saved';
    copyFileSync(logFile(), saved);
    db.close();
    db = undefined;
    // the window's commit never reached the disk (a power cut), but the next window's records did
    const raw = new BetterSqlite3(join(dir, DATABASE_FILE));
    raw.exec('DELETE FROM rows');
    raw.prepare('UPDATE redo_window SET window = window - 2').run();
    raw.close();
    copyFileSync(saved, logFile());
    db = openDatabase(dir, serverOptions(60_000));
    expect(db.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(0);
    expect(statSync(logFile()).size).toBe(0);
  });

  it('fails a transaction whose window SQLite ended under it, and keeps what was answered before', () => {
    db = openWithTable(60_000);
    const insert = db.prepare('INSERT INTO rows (n) VALUES (?)');
    db.transaction(() => insert.run(1))();
    expect(() =>
      db!.transaction(() => {
        insert.run(2);
        // what an I/O error in the middle of a transaction does
        sqliteConnection(db!)!.exec('ROLLBACK');
        expect(db!.inTransaction).toBe(false);
        // a savepoint now would be a transaction of its own, committing alone
        db!.transaction(() => insert.run(3))();
      })(),
    ).toThrow(/ended by an earlier storage failure/);
    expect(db.prepare('SELECT n FROM rows ORDER BY n').pluck().all()).toEqual([1]);
    db.close();
    db = openDatabase(dir, serverOptions(60_000));
    expect(db.prepare('SELECT n FROM rows ORDER BY n').pluck().all()).toEqual([1]);
  });

  it('runs the log again when SQLite ends the window itself, and applies each write once', () => {
    db = openWithTable(60_000);
    const insert = db.prepare('INSERT INTO rows (n) VALUES (?)');
    db.transaction(() => insert.run(1))();
    db.transaction(() => insert.run(2))();
    // what an I/O error does: the window's transaction is gone, with both rows
    sqliteConnection(db)!.exec('ROLLBACK');
    db.transaction(() => insert.run(3))();
    expect(db.prepare('SELECT n FROM rows ORDER BY n').pluck().all()).toEqual([1, 2, 3]);
    sqliteConnection(db)!.exec('ROLLBACK');
    // a write outside any transaction finds the window gone too
    db.prepare('INSERT INTO rows (n) VALUES (?)').run(4);
    db.close();
    db = openDatabase(dir, serverOptions(60_000));
    expect(db.prepare('SELECT n FROM rows ORDER BY n').pluck().all()).toEqual([1, 2, 3, 4]);
  });

  it('refuses to open over a log it cannot run, with a code the CLI shows as one line', () => {
    db = openWithTable(60_000);
    db.exec('CREATE TABLE doomed (n INTEGER)');
    db.transaction(() => db!.prepare('INSERT INTO doomed (n) VALUES (?)').run(1))();
    const saved = logFile() + '.saved';
    copyFileSync(logFile(), saved);
    db.close();
    db = undefined;
    const raw = new BetterSqlite3(join(dir, DATABASE_FILE));
    raw.exec('DROP TABLE doomed');
    raw.prepare('UPDATE redo_window SET window = window - 1').run();
    raw.close();
    copyFileSync(saved, logFile());
    let failure: unknown;
    try {
      openDatabase(dir, serverOptions(60_000));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(RedoLogError);
    expect(isDataFolderError(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/move the file away/);
    // the log is kept for whoever fixes it, and the folder is not left locked
    expect(statSync(logFile()).size).toBeGreaterThan(0);
    expect(() => openDatabase(dir, serverOptions(60_000))).toThrow(RedoLogError);
  });

  it('lets one server have the data folder; an admin command opens it beside that server without running its log', () => {
    db = openWithTable(60_000);
    db.transaction(() => db!.prepare('INSERT INTO rows (n) VALUES (?)').run(1))();
    expect(() => openDatabase(dir, serverOptions(60_000))).toThrow(DataFolderInUseError);
    const admin = openDatabase(dir, { busyTimeoutMs: 1000 });
    // the server's window is not the admin's to run: it sees the committed state, the log stays
    expect(admin.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(0);
    admin.close();
    expect(statSync(logFile()).size).toBeGreaterThan(0);
    db.close();
    db = openDatabase(dir, serverOptions(60_000));
    expect(db.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(1);
  });

  it('has an admin command run the log of a server that died, before it reads', async () => {
    await killedWriter(dir, 600_000, 40);
    const admin = openDatabase(dir, { busyTimeoutMs: 1000 });
    expect(admin.prepare('SELECT COUNT(*) FROM rows').pluck().get()).toBe(40);
    admin.close();
    expect(statSync(logFile()).size).toBe(0);
  }, 30_000);
});
