import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../protocol';
import { createBlobLocks } from '../../../server/files/blob-locks';
import { createLocalBlobStore, type BlobStore } from '../../../server/files/blob-store';
import { takeInUpload } from '../../../server/files/media-intake';
import { createUploadRecords, MediaKind, type MediaKindValue, type UploadRecords } from '../../../server/files/upload-records';
import { createUploadSweeper, type UploadSweeper } from '../../../server/files/upload-sweeper';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { dropTestSchema, openTestStore } from '../../support/test-database';

const TTL_MS = 86_400_000;

/** A point a step stops at until the test lets it go on. */
interface Pause {
  readonly reached: Promise<void>;
  release(): void;
  wait(): Promise<void>;
}
function pause(): Pause {
  let reached = () => {};
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    reached: new Promise<void>((resolve) => (reached = resolve)),
    release,
    wait: () => {
      reached();
      return released;
    },
  };
}

/** Whether the promise settles within ms (it is still awaited later). */
const settlesWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

let dir: string;
let db: SqlDatabase;
let clock: ManualClock;
let records: UploadRecords;
let blobs: BlobStore;
let sweeper: UploadSweeper;
let afterPut: Pause | undefined;
let beforeDelete: Pause | undefined;
let intake: (fileId: string, kind: MediaKindValue, bytes: Buffer) => Promise<void>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'magpie-sweep-race-'));
  // a real SQLite file (or, in the PostgreSQL run, a schema: its advisory lock on the blob)
  db = openTestStore(dir);
  runMigrations(db, migrations);
  clock = new ManualClock(Date.UTC(2026, 11, 1, 6, 0, 0));
  records = createUploadRecords(db);
  const real = createLocalBlobStore(join(dir, 'blobs'));
  // the real store, with a stop after an upload's bytes went in and before the sweep's delete
  blobs = {
    ...real,
    async putFile(sha256, path) {
      const stored = await real.putFile(sha256, path);
      await afterPut?.wait();
      return stored;
    },
    async delete(sha256) {
      await beforeDelete?.wait();
      await real.delete(sha256);
    },
  };
  const locks = createBlobLocks(records);
  sweeper = createUploadSweeper({
    records,
    blobs,
    locks,
    clock,
    log: pino({ level: 'silent' }),
    unreferencedTtlMs: TTL_MS,
    intervalMs: 600_000,
    discardPartial: async () => {},
  });
  intake = async (fileId, kind, bytes) => {
    records.insert({ fileId, appId: 'app', owner: 'alice01', kind, name: 'x', declaredSize: bytes.length, createdMs: clock.now() });
    const path = join(dir, fileId);
    await writeFile(path, bytes);
    await takeInUpload({ blobs, records, locks, clock, thumbnailMaxSidePx: 320 }, records.get(fileId)!, path);
  };
});
afterEach(async () => {
  afterPut?.release();
  beforeDelete?.release();
  afterPut = beforeDelete = undefined;
  db.close();
  dropTestSchema(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

describe('the upload sweep and an upload of the same bytes', () => {
  it('keeps the bytes when the upload found them stored and completes while the sweep decides', async () => {
    const bytes = Buffer.from('the same bytes, uploaded twice a day apart\n'.repeat(100));
    await intake('a'.repeat(32), MediaKind.FILE, bytes);
    const sha256 = records.get('a'.repeat(32))!.sha256!;
    clock.advance(TTL_MS + 1);

    // the second upload found the blob there and dropped its own copy; its record is not complete yet
    afterPut = pause();
    const second = intake('b'.repeat(32), MediaKind.FILE, bytes);
    await afterPut.reached;
    const sweep = sweeper.sweep();
    // the sweep waits for the upload to name the bytes (without the lock it deleted them now)
    expect(await settlesWithin(sweep, 300)).toBe(false);
    afterPut.release();
    await second;
    expect(await sweep).toBe(1);

    expect(records.get('a'.repeat(32))).toBeUndefined();
    expect(records.get('b'.repeat(32))).toMatchObject({ sha256 });
    expect(await blobs.size(sha256)).toBe(bytes.length);
  });

  it('stores the bytes again when the sweep is deleting them as the upload arrives, thumbnail too', async () => {
    const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#3a7' } }).png().toBuffer();
    await intake('c'.repeat(32), MediaKind.IMAGE, png);
    const first = records.get('c'.repeat(32))!;
    clock.advance(TTL_MS + 1);

    // the sweep found no other upload naming the bytes and is about to delete them
    beforeDelete = pause();
    const sweep = sweeper.sweep();
    await beforeDelete.reached;
    const second = intake('d'.repeat(32), MediaKind.IMAGE, png);
    // the upload waits for the delete (without the lock it kept the blob about to go, and completed)
    expect(await settlesWithin(second, 300)).toBe(false);
    beforeDelete.release();
    beforeDelete = undefined;
    expect(await sweep).toBe(1);
    await second;

    expect(records.get('d'.repeat(32))).toMatchObject({ sha256: first.sha256, thumbnailSha256: first.thumbnailSha256 });
    expect(await blobs.size(first.sha256!)).toBe(png.length);
    expect(await blobs.size(first.thumbnailSha256!)).toBeGreaterThan(0);
  });
});
