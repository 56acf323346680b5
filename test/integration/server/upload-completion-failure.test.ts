import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../server/storage/database';
import { onPostgres, openServerDatabase } from '../../support/test-database';
import { openChatWorld, type ChatWorld } from './chat-fixture';
import { blobCount, download, randomFile, tempDir, upload } from './files-fixture';

let world: ChatWorld;
let dir: string;
beforeEach(async () => {
  world = await openChatWorld();
  dir = await tempDir();
});
afterEach(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

/**
 * A real fault in the database, from a connection of the test's own: from now on the server's
 * UPDATE that completes an upload's record is refused (a trigger's abort on SQLite, a CHECK on
 * PostgreSQL), after the upload's bytes went into the blob store.
 */
function refuseUploadCompletion(dataDir: string): void {
  if (onPostgres()) {
    const db = openServerDatabase(dataDir);
    try {
      db.exec('ALTER TABLE uploads ADD CONSTRAINT test_no_completion CHECK (completed_ms IS NULL) NOT VALID');
    } finally {
      db.close();
    }
    return;
  }
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE), { timeout: 5000 });
  try {
    db.exec("CREATE TRIGGER test_no_completion BEFORE UPDATE OF completed_ms ON uploads BEGIN SELECT RAISE(ABORT, 'completion refused'); END");
  } finally {
    db.close();
  }
}

describe('an upload whose record cannot be completed', () => {
  it('leaves no bytes in the blob store, and keeps the bytes of an earlier upload of the same file', async () => {
    const alice = await world.login('alice01');
    const http = world.server.httpPort;
    const dataDir = world.server.dataDir;
    const earlier = await upload(alice, http, await randomFile(dir, 'earlier.bin', 256 * 1024), 'file');
    expect(await blobCount(dataDir)).toBe(1);

    refuseUploadCompletion(dataDir);
    // an image: its bytes and its thumbnail are both put before the record is completed
    const png = join(dir, 'meadow.png');
    await writeFile(png, await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a7' } }).png().toBuffer());
    await expect(upload(alice, http, png, 'image')).rejects.toThrow();
    await expect(upload(alice, http, await randomFile(dir, 'new.bin', 64 * 1024), 'file')).rejects.toThrow();
    // the same bytes as the earlier upload: the blob is the earlier upload's, and stays
    await expect(upload(alice, http, join(dir, 'earlier.bin'), 'file')).rejects.toThrow();

    expect(await blobCount(dataDir)).toBe(1);
    const got = await download(alice, http, earlier.fileId, join(dir, 'got.bin'), earlier.sha256);
    expect(got.size).toBe(256 * 1024);
  }, 60_000);
});
