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
 * own checkpoints come back on, so the log never grows without bound.
 */
export interface WalCheckpointer {
  /** Stops the worker; resolves once its connection is closed and the thread has ended. */
  stop(): Promise<void>;
}

export interface WalCheckpointerOptions {
  readonly db: Database;
  readonly log: Logger;
  readonly intervalMs?: number;
}

// CommonJS run with eval, so it needs no file of its own; the driver path is resolved here
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 2000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
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
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) log.warn({ error: message.error }, 'WAL checkpoint failed; the next one retries');
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
