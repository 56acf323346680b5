import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type PgDatabase } from '../../../../server/storage/pg/pg-database';
import { migrateForSuite, pgTestSchema } from './pg-test-schema';

const CREATOR = new URL('./group-creator.main.ts', import.meta.url).pathname;

function startCreator(url: string, label: string, requestIdHex: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CREATOR, url, label, requestIdHex]);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const ready = new Promise<void>((resolve) => child.stdout.on('data', () => (out.startsWith('ready\n') ? resolve() : undefined)));
  const answer = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`creator ${label} exited ${String(code)}: ${err}`);
    return out.slice('ready\n'.length).trim();
  });
  return { child, ready, answer };
}

/**
 * One create, its request id sent to two nodes at the same moment (a retry on another node while
 * the first still runs). Both read that the id is new; the second's record waits for the first's
 * commit and fails on the key, and run again it finds the first's group: one group, one answer.
 * The test holds the id's row itself until both are waiting, so the two really overlap.
 */
describe('one group create on two nodes at once (PostgreSQL)', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;
  migrateForSuite(schema, (opened) => (db = opened));

  it('makes one group, and both nodes answer it', { timeout: 60_000 }, async () => {
    const requestIdHex = '0192aabbccddeeff0011223344556677';
    const creators = [startCreator(schema.url, 'one', requestIdHex), startCreator(schema.url, 'two', requestIdHex)];
    await Promise.all(creators.map((c) => c.ready));
    db.exec('BEGIN');
    db.prepare("INSERT INTO group_creates (app_id, user_id, request_id, group_id, created_ms) VALUES ('app', 'alice', ?, 'gheld', 0)").run(Buffer.from(requestIdHex, 'hex'));
    for (const c of creators) c.child.stdin.end('go\n');
    const waiting = db.prepare<[], number>("SELECT COUNT(*)::int FROM pg_stat_activity WHERE application_name LIKE 'magpie-creator-%' AND wait_event_type = 'Lock'").pluck();
    const deadline = Date.now() + 10_000;
    while (waiting.get() !== 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(waiting.get()).toBe(2);
    db.exec('ROLLBACK');

    const answers = await Promise.all(creators.map((c) => c.answer));
    expect(answers[0]).toMatch(/^g[0-9a-f]{16}$/);
    expect(answers[1]).toBe(answers[0]);
    expect(db.prepare<[], string>("SELECT group_id FROM groups WHERE app_id = 'app'").pluck().all()).toEqual([answers[0]]);
    const notices = db.prepare<[], number>("SELECT COUNT(*)::int FROM inbox WHERE app_id = 'app' AND user_id = 'bob'").pluck().get();
    expect(notices).toBe(1);
  });
});
