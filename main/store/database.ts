import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ErrorCode, MagpieError, isValidUserId } from '../../protocol';
import { migrate, type MigrationOutcome } from './migrate';
import { startWalCheckpointWorker, type WalCheckpointWorker, type WalWorkerStopOutcome } from '../../platform/sqlite';
import { clientStoreMigrations } from './migrations';

const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Where a user's database lives: <profileDir>/<appId>/<userId>/magpie.db. Ids are checked so
 * neither can climb out of the profile folder.
 */
export function clientStorePath(profileDir: string, appId: string, userId: string): string {
  if (!APP_ID.test(appId)) throw new MagpieError(ErrorCode.APP_NOT_FOUND, `not an app id: ${JSON.stringify(appId)}`);
  if (!isValidUserId(userId)) throw new MagpieError(ErrorCode.INVALID_USER_ID, `not a user id: ${JSON.stringify(userId)}`);
  return join(profileDir, appId, userId, 'magpie.db');
}

export interface OpenedDatabase {
  readonly db: Database;
  readonly migration: MigrationOutcome;
  /** Asks the checkpoint worker to copy the log into the database now (after a large ingest). */
  checkpointSoon(): void;
  /** Stops the checkpoint worker and closes the connection. */
  close(): void;
  /**
   * Resolves when close() has finished: 'stopped' once the checkpoint worker's connection is closed
   * too, 'abandoned' when that worker was let go still running (it holds the file until it ends).
   */
  readonly closed: Promise<WalWorkerStopOutcome>;
}

/** Opens (creating folders and file as needed) a client database in WAL mode and migrates it. */
export function openClientDatabase(file: string): OpenedDatabase {
  if (file !== ':memory:') mkdirSync(join(file, '..'), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    setWalMode(db);
    // WAL + NORMAL: a commit survives a process kill; only a power cut may lose the last commits
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // a log that grew during a long sync is cut back to 16 MiB when it starts over
    db.pragma('journal_size_limit = 16777216');
    const migration = migrate(db, clientStoreMigrations);
    const checkpointer = file === ':memory:' ? undefined : moveCheckpointsToWorker(db, file);
    let markClosed: (stopped: Promise<WalWorkerStopOutcome>) => void = () => undefined;
    const closed = new Promise<WalWorkerStopOutcome>((resolve) => {
      markClosed = (stopped) => resolve(stopped);
    });
    return {
      db,
      migration,
      closed,
      checkpointSoon: () => checkpointer?.checkpointSoon(),
      close() {
        const stopped = checkpointer?.stop() ?? Promise.resolve('stopped' as const);
        if (db.open) db.close();
        markClosed(stopped);
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Switches the file to WAL, waiting up to 5 s for another connection's lock: two processes opening
 * a new store at once (two `magpie` commands on a fresh profile) meet here, and SQLite answers a
 * journal-mode change that meets a lock with SQLITE_BUSY at once, without its busy handler.
 */
function setWalMode(db: Database, waitMs = 5_000): void {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      // a synchronous open: sleep the thread a moment, then try again
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/** SQLite checkpoints inside a commit on the main thread; a worker does it instead (platform/sqlite). */
function moveCheckpointsToWorker(db: Database, file: string): WalCheckpointWorker {
  db.pragma('wal_autocheckpoint = 0');
  return startWalCheckpointWorker({
    file,
    onWorkerLost: () => {
      // without the worker, SQLite's own checkpoints keep the log from growing without end
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    },
  });
}
