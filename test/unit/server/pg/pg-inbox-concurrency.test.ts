import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type PgDatabase } from '../../../../server/storage/pg/pg-database';
import { migrateForSuite, pgTestSchema } from './pg-test-schema';

const run = promisify(execFile);
const WRITER = new URL('./inbox-writer.main.ts', import.meta.url).pathname;

/**
 * Two processes (two nodes) append to the same inboxes at once through their own write batches:
 * every inbox ends with seqs 1..N, none missing, none twice, and every write the writers were told
 * succeeded is there. The writers lock heads in shuffled orders, so deadlocks happen and are run
 * again by the write batch instead of failing writes.
 */
describe('seqs with two nodes on one PostgreSQL database', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;
  migrateForSuite(schema, (opened) => (db = opened));

  it('stay gap-free and unique per inbox when two writers append to the same users', { timeout: 120_000 }, async () => {
    const users = ['u1', 'u2', 'u3', 'u4'];
    const batches = 150;
    // both begin at once, after tsx has loaded in each
    const startAt = String(Date.now() + 4_000);
    const perBatch = 8;
    const writers = await Promise.all(
      [1, 2].map(() => run(process.execPath, ['--import', 'tsx', WRITER, schema.url, startAt, String(batches), String(perBatch), ...users], { timeout: 100_000 })),
    );
    const reports = writers.map(({ stdout }) => JSON.parse(stdout) as { writes: number; conflicts: number; appended: Record<string, number> });
    expect(reports.map((r) => r.writes)).toEqual([batches * perBatch, batches * perBatch]);
    for (const user of users) {
      const seqs = db.prepare<[string], number>("SELECT seq FROM inbox WHERE app_id = 'app' AND user_id = ? ORDER BY seq").pluck().all(user);
      const total = reports.reduce((sum, r) => sum + (r.appended[user] ?? 0), 0);
      expect(total).toBe(2 * batches * perBatch);
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(db.prepare<[string], number>("SELECT max_seq FROM inbox_heads WHERE app_id = 'app' AND user_id = ?").pluck().get(user)).toBe(total);
    }
    // how often the batches got in each other's way (printed like the reliability counts)
    console.log(`inbox concurrency: ${reports.map((r) => `${r.writes} writes, ${r.conflicts} batch reruns`).join('; ')}`);
  });
});

