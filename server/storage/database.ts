import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { openCommitWindow, REDO_LOG_SUFFIX, replayRedoLog, type CommitWindowOptions, type WindowedDatabase } from './commit-window';
import { tryLockDataFolder, type DataFolderLock } from './data-folder-lock';
import { makeFolderSync } from './make-folder';
import type { SqlDatabase } from './sql-database';

export const DATABASE_FILE = 'magpie.db';

/** Pages in the write-ahead log at which a commit checkpoints it (when no checkpoint worker runs). */
export const AUTOCHECKPOINT_PAGES = 4_000;

/** Bytes the write-ahead log file is truncated to when it starts over. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface OpenDatabaseOptions {
  readonly busyTimeoutMs: number;
  /**
   * Opened by the server: it owns the data folder until it closes the database (another server on
   * the same folder is refused, DataFolderInUseError), runs again what its redo log holds, and puts
   * a commit window in front of the connection when one is given. Without it (an admin command,
   * a test), the redo log is run again only when no server owns the folder.
   */
  readonly server?: { readonly commitWindow?: CommitWindowOptions };
}

/** Another server process (or another server in this one) has the data folder. */
export class DataFolderInUseError extends Error {
  readonly code = 'DATA_FOLDER_IN_USE';
  constructor() {
    super('another Magpie server is using this data folder (stop it first, or give this one another --data folder; an admin command holds it only for a moment)');
    this.name = 'DataFolderInUseError';
  }
}

const READ_ONLY_FOLDER = /^(SQLITE_CANTOPEN|SQLITE_READONLY|EACCES|EPERM|EROFS)/;

/** Takes the folder for a server (or fails); for anyone else, takes it only when it is free. */
function lockFolder(dataDir: string, forServer: boolean): DataFolderLock | undefined {
  if (forServer) {
    const lock = tryLockDataFolder(dataDir);
    if (lock === undefined) throw new DataFolderInUseError();
    return lock;
  }
  try {
    return tryLockDataFolder(dataDir);
  } catch (error) {
    // a folder this process may read but not write: no redo log could be run here either
    if (READ_ONLY_FOLDER.test(String((error as { code?: unknown }).code))) return undefined;
    throw error;
  }
}

/**
 * Opens (creating if needed) the server database in the data folder. WAL lets the admin commands
 * of the CLI read and write while a server runs; the busy timeout makes either side wait for the
 * other's short write transactions instead of failing.
 */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions): SqlDatabase {
  makeFolderSync(dataDir, 0o700);
  const file = join(dataDir, DATABASE_FILE);
  const lock = lockFolder(dataDir, options.server !== undefined);
  let db: Database;
  try {
    db = openConnection(file, options.busyTimeoutMs);
    try {
      // what a server wrote in a commit window that never committed (the process ended)
      if (lock !== undefined) replayRedoLog(db, file + REDO_LOG_SUFFIX);
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    lock?.release();
    throw error;
  }
  if (options.server === undefined) {
    lock?.release();
    return sqliteDatabase(db);
  }
  const window = options.server.commitWindow;
  const opened: SqlDatabase = window === undefined ? sqliteDatabase(db) : openCommitWindow(db, file + REDO_LOG_SUFFIX, window);
  // the folder is the server's until its database closes
  const close = opened.close.bind(opened);
  opened.close = () => {
    try {
      close();
    } finally {
      lock?.release();
    }
  };
  return opened;
}

function openConnection(file: string, busyTimeoutMs: number): Database {
  const db = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  // it holds sealed app tokens and password hashes: for the server's user only
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  // a group message writes one inbox row per member: keep the hot pages in memory (64 MiB) and
  // checkpoint less often, so a 2,000-member fan-out is not 2,000 scattered page reads
  db.pragma('cache_size = -65536');
  // a write batch inside the commit window is a savepoint, which copies each page it first changes
  // to a statement journal; kept in memory, not spilled to a temporary file past 64 KiB (a burst's
  // batch is larger: a third of its pwrite calls were that file)
  db.pragma('temp_store = MEMORY');
  db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  // a log that grew in a burst is cut back to this size when it starts over
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  return db;
}

/**
 * A better-sqlite3 connection as the server's SqlDatabase: the same object, marked with its
 * dialect, so every statement goes straight to the driver.
 */
export function sqliteDatabase(db: Database): SqlDatabase {
  return Object.assign(db, { dialect: 'sqlite' as const }) as unknown as SqlDatabase;
}

/** The better-sqlite3 connection behind a SQLite SqlDatabase (pragmas, checkpoints); undefined on PostgreSQL. */
export function sqliteConnection(db: SqlDatabase): Database | undefined {
  if (db.dialect !== 'sqlite') return undefined;
  return 'rawConnection' in db ? (db as WindowedDatabase).rawConnection : (db as unknown as Database);
}
