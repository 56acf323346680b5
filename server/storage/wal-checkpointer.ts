import type { Logger } from 'pino';
import { startWalCheckpointWorker } from '../../platform/sqlite';
import { AUTOCHECKPOINT_PAGES, sqliteConnection } from './database';
import type { SqlDatabase } from './sql-database';

/**
 * WAL checkpoints off the event loop (platform/sqlite's worker): SQLite's own checkpoint inside a
 * commit copied thousands of pages while every socket waited, which was most of the server's tail
 * latency. Should the worker die, SQLite's own checkpoints come back on.
 *
 * SQLite starts the log over from its beginning only when a write finds it wholly copied into the
 * database, and under steady load a checkpoint in another thread never ends with nothing new
 * behind it: the log would grow for as long as the load lasts. So once the log is past
 * `restartAfterPages` and the worker could not finish it, the server's own connection runs one
 * PASSIVE checkpoint between two turns, when no commit can overlap it; the worker has already
 * copied almost everything, so it is short, and the next write starts the log over.
 */
export interface WalCheckpointer {
  /** Stops the worker; resolves once its connection is closed and the thread has ended. */
  stop(): Promise<void>;
}

export interface WalCheckpointerOptions {
  readonly db: SqlDatabase;
  readonly log: Logger;
  readonly intervalMs?: number;
  /** Log size (pages) past which an unfinished checkpoint is completed on the server's connection. */
  readonly restartAfterPages?: number;
}

export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const { log } = options;
  const db = sqliteConnection(options.db);
  // PostgreSQL keeps its own write-ahead log: nothing to do here
  if (db === undefined) return { stop: () => Promise.resolve() };
  const restartAfterPages = options.restartAfterPages ?? AUTOCHECKPOINT_PAGES;
  let finishing = false;
  const finishCheckpoint = () => {
    finishing = false;
    if (!db.open) return;
    try {
      // a checkpoint cannot run inside the commit window's open transaction
      options.db.settle?.();
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      log.warn({ err: error }, 'WAL checkpoint on the server connection failed; the worker goes on');
    }
  };
  db.pragma('wal_autocheckpoint = 0');
  const worker = startWalCheckpointWorker({
    file: db.name,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    onCheckpoint: ({ logPages, checkpointedPages }) => {
      if (logPages > restartAfterPages && checkpointedPages < logPages && !finishing) {
        finishing = true;
        setImmediate(finishCheckpoint);
      }
    },
    onError: (error) => log.warn({ error }, 'WAL checkpoint failed; the next one retries'),
    onWorkerLost: (error) => {
      log.error({ err: error }, 'the WAL checkpoint worker died; SQLite checkpoints in commits again');
      if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    },
  });
  return { stop: () => worker.stop().then(() => undefined) };
}
