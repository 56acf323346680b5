import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, sqliteConnection } from '../../../server/storage/database';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('WAL checkpoints', () => {
  let world: TestServer | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('are run by the worker, off the event loop, long before a commit would cross the automatic threshold', async () => {
    world = await startTestServer();
    const { db, users } = world.server;
    expect(sqliteConnection(db)!.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const file = join(world.dataDir, DATABASE_FILE);
    const sizeBefore = statSync(file).size;
    // a few hundred pages: far below the 4,000 at which a commit would checkpoint by itself
    db.transaction(() => {
      for (let i = 0; i < 5_000; i++) users.ensureUser(world!.appId, `walUser${i}`);
    })();
    expect(statSync(file).size).toBe(sizeBefore);
    const deadline = Date.now() + 5_000;
    while (statSync(file).size === sizeBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(file).size).toBeGreaterThan(sizeBefore);
  });
});
