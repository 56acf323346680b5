import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../server/logger';
import { openDatabase, sqliteConnection } from '../../../server/storage/database';
import { startWalCheckpointer } from '../../../server/storage/wal-checkpointer';

const dir = mkdtempSync(join(tmpdir(), 'magpie-wal-growth-'));
afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

describe('the write-ahead log under steady writes', () => {
  // the worker thread must get CPU time during the 2 s it is given: on a starved machine (both cores
  // busy with other test files) it may get none, which says nothing of the log; so it has three tries
  it('starts over instead of growing while the worker checkpoints beside a writer that never pauses', { retry: 2 }, async () => {
    const db = openDatabase(dir, { busyTimeoutMs: 1000 });
    db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB)');
    const checkpointer = startWalCheckpointer({ db, log: createSilentLogger(), intervalMs: 20, restartAfterPages: 100 });
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const body = Buffer.alloc(2_000, 7);
    let commits = 0;
    const until = Date.now() + 2_000;
    // one small commit per turn, as a busy server makes them: there is always a frame the worker missed
    while (Date.now() < until) {
      insert.run(body);
      commits += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await checkpointer.stop();
    const [{ log: pagesInLog }] = sqliteConnection(db)!.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
    db.close();
    expect(commits).toBeGreaterThan(2_000);
    // every commit appends at least one page: a log that never started over holds more pages than
    // there were commits; one that starts over holds only those since the last restart
    expect(pagesInLog).toBeLessThan(commits / 2);
  });
});
