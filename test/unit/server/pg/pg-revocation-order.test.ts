import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../protocol';
import { createRevocationLog, type Revocation } from '../../../../server/access/revocation-log';
import { REVOCATION_GAP_WAIT_MS, pgPoller, startRevocationWatcher } from '../../../../server/access/revocation-watcher';
import { createSilentLogger } from '../../../../server/logger';
import { runMigrations } from '../../../../server/storage/migrate';
import { migrations } from '../../../../server/storage/migrations';
import { type PgDatabase } from '../../../../server/storage/pg/pg-database';
import { pgTestSchema } from './pg-test-schema';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * On PostgreSQL a revocation's id is taken at its insert, not at its commit: one that commits after
 * a later-numbered one was read must still be applied (a security bound: the sessions it ends).
 */
describe('revocations committed out of id order (PostgreSQL)', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;
  let other: PgDatabase;

  beforeAll(() => {
    db = schema.open();
    runMigrations(db, migrations);
    other = schema.open();
  });
  afterAll(() => {
    other.close();
    db.close();
    schema.drop();
  });

  it('are all handed on, each once', async () => {
    const seen: Revocation[] = [];
    const watcher = startRevocationWatcher({ db, clock: systemClock, log: createSilentLogger(), intervalMs: 10, onRevoked: (r) => seen.push(r) });
    try {
      const late = createRevocationLog(other);
      const early = createRevocationLog(db);
      // the other node's transaction takes the lower id and stays open
      other.exec('BEGIN');
      late.record('app', 'late', Date.now());
      early.record('app', 'early', Date.now());
      await until(() => seen.length === 1, 'the committed revocation');
      expect(seen.map((r) => r.userId)).toEqual(['early']);
      other.exec('COMMIT');
      await until(() => seen.length === 2, 'the revocation committed late');
      expect(seen.map((r) => r.userId)).toEqual(['early', 'late']);
      expect(seen[1]!.id).toBeLessThan(seen[0]!.id);
      // read again on later polls, never handed on twice
      early.record('app', 'next', Date.now());
      await until(() => seen.length === 3, 'the next revocation');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.map((r) => r.userId)).toEqual(['early', 'late', 'next']);
    } finally {
      watcher.stop();
    }
  });

  it('stops waiting for an id that never commits after the gap wait', () => {
    const rows: Revocation[] = [{ id: 12, appId: 'a', userId: 'u' }];
    const log = { after: (id: number) => rows.filter((r) => r.id > id), record: () => undefined, lastId: () => 10 };
    const queried: number[] = [];
    const handed: number[] = [];
    const poll = pgPoller({ ...log, after: (id) => (queried.push(id), log.after(id)) }, 10, (r) => handed.push(r.id));
    poll(0);
    expect(handed).toEqual([12]);
    // 11 is missing: the next poll still reads from 10
    queried.length = 0;
    poll(1_000);
    expect(queried[0]).toBe(10);
    // past the wait, 11 is given up: the watermark moves to 12
    poll(REVOCATION_GAP_WAIT_MS + 1);
    queried.length = 0;
    poll(REVOCATION_GAP_WAIT_MS + 2);
    expect(queried[0]).toBe(12);
    expect(handed).toEqual([12]);
  });
});
