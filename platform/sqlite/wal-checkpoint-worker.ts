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
  /**
   * Stops the worker: 'stopped' once the thread has ended, its connection closed. A worker still
   * running after stopTimeoutMs (a checkpoint stuck in SQLite) is let go: 'abandoned', and it no
   * longer keeps the process alive. It is not terminated: a thread terminated while SQLite returns
   * an error to it aborts the whole process.
   */
  stop(): Promise<WalWorkerStopOutcome>;
}

/** What one PASSIVE checkpoint found: pages in the log, and how many of them it copied. */
export type WalWorkerStopOutcome = 'stopped' | 'abandoned';

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
  /** How long stop() waits for the worker to close its connection before letting it go. */
  readonly stopTimeoutMs?: number;
  /** The busy timeout of the worker's connection (a checkpoint waits that long for a lock at most). */
  readonly busyTimeoutMs?: number;
}

export const DEFAULT_WAL_WORKER_STOP_TIMEOUT_MS = 3_000;

// CommonJS run with eval, so it needs no file of its own in any build; the driver path is resolved here
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
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
  // the port closes even when close throws: an open port would keep this thread, and its owner, alive
  try {
    db.close();
  } finally {
    parentPort.close();
  }
});
`;

export function startWalCheckpointWorker(options: WalCheckpointWorkerOptions): WalCheckpointWorker {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driverPath, file: options.file, intervalMs: options.intervalMs ?? 1_000, busyTimeoutMs: options.busyTimeoutMs ?? 2_000 },
  });
  // listeners first, unref after: a 'message' listener added to an unreferenced worker references
  // its port again, and a store never closed would then keep the process alive forever
  worker.on('message', (message: { error?: string; log?: number; checkpointed?: number }) => {
    if (message.error !== undefined) options.onError?.(message.error);
    else options.onCheckpoint?.({ logPages: message.log ?? 0, checkpointedPages: message.checkpointed ?? 0 });
  });
  worker.on('error', (error) => options.onWorkerLost?.(error));
  let stopping: Promise<WalWorkerStopOutcome> | undefined;
  const exited = new Promise<'stopped'>((resolve) => worker.once('exit', () => resolve('stopped')));
  worker.unref();
  return {
    checkpointSoon() {
      if (!stopping) worker.postMessage('checkpoint');
    },
    stop() {
      if (stopping) return stopping;
      // referenced again: an unreferenced worker's exit would not keep the process waiting for it
      worker.ref();
      worker.postMessage('close');
      const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_WAL_WORKER_STOP_TIMEOUT_MS;
      let deadline: NodeJS.Timeout | undefined;
      const late = new Promise<'abandoned'>((resolve) => {
        deadline = setTimeout(() => {
          worker.unref();
          resolve('abandoned');
        }, stopTimeoutMs);
      });
      stopping = Promise.race([exited, late]).finally(() => clearTimeout(deadline));
      return stopping;
    },
  };
}
