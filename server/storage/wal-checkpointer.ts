import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { AUTOCHECKPOINT_PAGES } from './database';

/**
 * WAL checkpoints off the event loop. SQLite runs an automatic checkpoint inside whichever commit
 * crosses wal_autocheckpoint: it copies thousands of pages into the database file while every
 * socket waits, which was most of the server's tail latency. Here the server's connection turns
 * automatic checkpoints off and a worker thread with its own connection runs a PASSIVE checkpoint
 * (one that never waits for, nor blocks, the writer) every second. Should the worker die, SQLite's
 * own checkpoints come back on.
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
  readonly db: Database;
  readonly log: Logger;
  readonly intervalMs?: number;
  /** Log size (pages) past which an unfinished checkpoint is completed on the server's connection. */
  readonly restartAfterPages?: number;
}

// CommonJS run with eval, so it needs no file of its own; the driver path is resolved here
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 2000');
const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const { db, log } = options;
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driverPath, file: db.name, intervalMs: options.intervalMs ?? 1_000 },
  });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  const restartAfterPages = options.restartAfterPages ?? AUTOCHECKPOINT_PAGES;
  let finishing = false;
  const finishCheckpoint = () => {
    finishing = false;
    if (!db.open) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      log.warn({ err: error }, 'WAL checkpoint on the server connection failed; the worker goes on');
    }
  };
  worker.on('message', (message: { error?: string; log?: number; checkpointed?: number }) => {
    if (message.error !== undefined) log.warn({ error: message.error }, 'WAL checkpoint failed; the next one retries');
    const { log: pages = 0, checkpointed = 0 } = message;
    if (pages > restartAfterPages && checkpointed < pages && !finishing) {
      finishing = true;
      setImmediate(finishCheckpoint);
    }
  });
  let stopped = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => {
    log.error({ err: error }, 'the WAL checkpoint worker died; SQLite checkpoints in commits again');
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  });
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        // referenced again: an unreferenced worker's exit would not keep the process waiting for it
        worker.ref();
        worker.postMessage('stop');
      }
      return exited;
    },
  };
}
