import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolderSync } from './make-folder';
import type { SqlDatabase } from './sql-database';

export const DATABASE_FILE = 'magpie.db';

/** Pages in the write-ahead log at which a commit checkpoints it (when no checkpoint worker runs). */
export const AUTOCHECKPOINT_PAGES = 4_000;

/** Bytes the write-ahead log file is truncated to when it starts over. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface OpenDatabaseOptions {
  readonly busyTimeoutMs: number;
}

/**
 * Opens (creating if needed) the server database in the data folder. WAL lets the admin commands
 * of the CLI read and write while a server runs; the busy timeout makes either side wait for the
 * other's short write transactions instead of failing.
 */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions): SqlDatabase {
  makeFolderSync(dataDir, 0o700);
  const file = join(dataDir, DATABASE_FILE);
  const db = new BetterSqlite3(file, { timeout: options.busyTimeoutMs });
  // it holds sealed app tokens and password hashes: for the server's user only
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  // a group message writes one inbox row per member: keep the hot pages in memory (64 MiB) and
  // checkpoint less often, so a 2,000-member fan-out is not 2,000 scattered page reads
  db.pragma('cache_size = -65536');
  db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  // a log that grew in a burst is cut back to this size when it starts over
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  return sqliteDatabase(db);
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
  return db.dialect === 'sqlite' ? (db as unknown as Database) : undefined;
}
