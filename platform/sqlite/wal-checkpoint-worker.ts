import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves WAL checkpoints off the main thread. A checkpoint copies the write-ahead log into the
 * database file and fsyncs both, and SQLite runs it inside whichever commit crosses
 * wal_autocheckpoint, while everything else on that thread waits. So the owner's connection turns
 * automatic checkpoints off and a worker thread with its own connection runs a PASSIVE checkpoint
 * (it never waits for, nor blocks, the writer) every intervalMs.
 */
export interface WalCheckpointWorker {
  /** Asks for a checkpoint now, e.g. after a large ingest. */
  checkpointSoon(): void;
  /** Stops the worker; resolves once its connection is closed and the thread has ended. */
  stop(): Promise<void>;
}

/** What one PASSIVE checkpoint found: pages in the log, and how many of them it copied. */
export interface CheckpointResult {
  readonly logPages: number;
  readonly checkpointedPages: number;
}

export interface WalCheckpointWorkerOptions {
  readonly file: string;
  readonly intervalMs?: number;
  readonly onCheckpoint?: (result: CheckpointResult) => void;
  /** A checkpoint failed (the next one retries). */
  readonly onError?: (message: string) => void;
  /** The worker died: the owner turns SQLite's own automatic checkpoints back on. */
  readonly onWorkerLost?: (error: Error) => void;
}

// CommonJS run with eval, so it needs no file of its own in any build; the driver path is resolved here
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 2000');
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') return checkpoint();
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startWalCheckpointWorker(options: WalCheckpointWorkerOptions): WalCheckpointWorker {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driverPath, file: options.file, intervalMs: options.intervalMs ?? 1_000 },
  });
  worker.unref();
  worker.on('message', (message: { error?: string; log?: number; checkpointed?: number }) => {
    if (message.error !== undefined) options.onError?.(message.error);
    else options.onCheckpoint?.({ logPages: message.log ?? 0, checkpointedPages: message.checkpointed ?? 0 });
  });
  worker.on('error', (error) => options.onWorkerLost?.(error));
  let stopped = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    checkpointSoon() {
      if (!stopped) worker.postMessage('checkpoint');
    },
    stop() {
      if (!stopped) {
        stopped = true;
        // referenced again: an unreferenced worker's exit would not keep the process waiting for it
        worker.ref();
        worker.postMessage('close');
      }
      return exited;
    },
  };
}
