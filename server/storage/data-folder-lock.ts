import BetterSqlite3, { type Database } from 'better-sqlite3';
import { join } from 'node:path';

/** The file whose lock says a server process owns the data folder (and its redo log). */
export const LOCK_FILE = 'magpie.lock';

export interface DataFolderLock {
  release(): void;
}

/**
 * Takes the data folder for this process, or returns undefined when another process (or another
 * server in this one) holds it. The lock is SQLite's own exclusive file lock on a small database
 * kept open until release: the operating system drops it when the process dies, however it dies,
 * so a crashed server never leaves the folder locked.
 */
export function tryLockDataFolder(dataDir: string): DataFolderLock | undefined {
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(join(dataDir, LOCK_FILE), { timeout: 0 });
    // no -journal file beside it: the lock is all this database is for
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    // the first write takes the exclusive lock; in this mode it is kept after the commit
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    db?.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  const held = db;
  return {
    release() {
      if (held.open) held.close();
    },
  };
}
