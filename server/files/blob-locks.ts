import type { UploadRecords } from './upload-records';

/**
 * Locks on blobs by their sha256. A blob is kept once however many uploads name it, so deciding to
 * delete it (no upload names it) and deleting it must not interleave with an upload of the same
 * bytes finding it there and completing its record: that upload would name deleted bytes.
 */
export interface BlobLocks {
  /** Runs fn holding every named blob's lock (nulls skipped), taken in one order so none deadlocks. */
  hold<T>(sha256s: readonly (string | null)[], fn: () => Promise<T>): Promise<T>;
}

/**
 * One holder per blob in this process (a queue per key), then across nodes the database's lock on
 * the key (PostgreSQL: an advisory lock; SQLite has one server, so the queue is enough).
 */
/** How often a blob's lock held by another node is tried again. */
const BLOB_LOCK_RETRY_MS = 20;

export function createBlobLocks(records: Pick<UploadRecords, 'tryLockBlob' | 'unlockBlob'>): BlobLocks {
  const tails = new Map<string, Promise<void>>();

  async function holdOne<T>(sha256: string, fn: () => Promise<T>): Promise<T> {
    const before = tails.get(sha256) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    tails.set(sha256, tail);
    await before;
    try {
      // another node's hold is waited for off the event loop, a try at a time
      while (!records.tryLockBlob(sha256)) await new Promise((resolve) => setTimeout(resolve, BLOB_LOCK_RETRY_MS));
      try {
        return await fn();
      } finally {
        records.unlockBlob(sha256);
      }
    } finally {
      release();
      if (tails.get(sha256) === tail) tails.delete(sha256);
    }
  }

  return {
    hold(sha256s, fn) {
      const keys = [...new Set(sha256s.filter((sha): sha is string => sha !== null))].sort();
      return keys.reduceRight((inner, key) => () => holdOne(key, inner), fn)();
    },
  };
}
