import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../protocol';
import type { BlobLocks } from './blob-locks';
import type { BlobStore } from './blob-store';
import type { UploadRecords } from './upload-records';

export interface UploadSweeperDeps {
  readonly records: UploadRecords;
  readonly blobs: BlobStore;
  /** Held from asking whether another upload names a blob to deleting it (see media-intake.ts). */
  readonly locks: BlobLocks;
  readonly clock: Clock;
  readonly log: Logger;
  readonly unreferencedTtlMs: number;
  readonly intervalMs: number;
  readonly discardPartial: (fileId: string) => Promise<void>;
}

export interface UploadSweeper {
  /** Removes uploads no message referenced within the TTL (finished or not); returns how many. */
  sweep(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const BATCH = 500;

/**
 * Uploads nobody sent are deleted after a while: their row, their staging file, and their blob
 * and thumbnail unless another upload still names the same bytes.
 */
export function createUploadSweeper(deps: UploadSweeperDeps): UploadSweeper {
  let timer: TimerHandle | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function sweepOnce(): Promise<number> {
    // several nodes on one database: the others skip this round
    if (!deps.records.lockSweep()) return 0;
    try {
      return await sweepRows();
    } finally {
      deps.records.unlockSweep();
    }
  }

  async function sweepRows(): Promise<number> {
    let removed = 0;
    for (;;) {
      const stale = deps.records.unreferencedBefore(deps.clock.now() - deps.unreferencedTtlMs, BATCH);
      for (const upload of stale) {
        deps.records.delete(upload.fileId);
        if (upload.completedMs === null) await deps.discardPartial(upload.fileId);
        for (const sha of [upload.sha256, upload.thumbnailSha256]) {
          if (sha === null) continue;
          await deps.locks.hold([sha], async () => {
            if (!deps.records.blobInUse(sha)) await deps.blobs.delete(sha);
          });
        }
        removed++;
      }
      if (stale.length < BATCH) return removed;
    }
  }

  const sweep = () => {
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = deps.clock.setTimeout(() => {
      sweep()
        .then((removed) => {
          if (removed > 0) deps.log.info({ removed }, 'swept uploads that no message referenced');
        })
        .catch((error: unknown) => deps.log.error({ err: error }, 'the upload sweep failed'))
        .finally(schedule);
    }, deps.intervalMs);
  };

  return {
    sweep,
    start: schedule,
    async stop() {
      stopped = true;
      if (timer) deps.clock.clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
