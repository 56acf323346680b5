import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ErrorCode, pb, systemClock } from '../../../../protocol';
import type { Delivery } from '../../../../server/handler-types';
import { createGroupService } from '../../../../server/groups';
import { createSilentLogger } from '../../../../server/logger';
import { type PgDatabase } from '../../../../server/storage/pg/pg-database';
import { migrateForSuite, pgTestSchema } from './pg-test-schema';

const JOINER = new URL('./group-joiner.main.ts', import.meta.url).pathname;

function startJoiner(url: string, groupId: string, user: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', JOINER, url, groupId, user]);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const ready = new Promise<void>((resolve) => child.stdout.on('data', () => (out.startsWith('ready\n') ? resolve() : undefined)));
  const answer = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`joiner ${user} exited ${String(code)}: ${err}`);
    return out.slice('ready\n'.length).trim();
  });
  return { child, ready, answer };
}

/**
 * Two nodes JOIN the last place of a group at the same moment. Each GROUP operation locks the
 * group's row first, so they run one after the other: one joins, the other is refused GROUP_FULL.
 * The test holds the row itself until both are waiting, so the two really overlap (without the
 * lock both would pass the room check and wait only at the member count's update).
 */
describe('GROUP operations of two nodes on one group (PostgreSQL)', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;
  migrateForSuite(schema, (opened) => (db = opened));

  it('admit exactly one of two JOINs for the last place', { timeout: 60_000 }, async () => {
    const delivery = { toUser: () => 0, isOnline: () => false, isOnlineBesides: () => false } as unknown as Delivery;
    const groups = createGroupService({ db, clock: systemClock, log: createSilentLogger(), delivery, ensureUser: () => undefined });
    await groups.handlers.GROUP!({
      caller: { sessionId: 's', appId: 'app', userId: 'owner', device: pb.DeviceKind.DESKTOP, deviceId: 'd' },
      body: create(pb.GroupRequestSchema, { op: { case: 'create', value: { name: 'last place', type: pb.GroupType.NORMAL, mode: pb.GroupMode.PUBLIC } } }),
    });
    const groupId = db.prepare<[], string>("SELECT group_id FROM groups WHERE app_id = 'app'").pluck().get()!;
    // one place left
    db.prepare('UPDATE groups SET capacity = member_count + 1 WHERE group_id = ?').run(groupId);

    const joiners = [startJoiner(schema.url, groupId, 'carol'), startJoiner(schema.url, groupId, 'dave')];
    await Promise.all(joiners.map((j) => j.ready));
    db.exec('BEGIN');
    db.prepare('SELECT 1 FROM groups WHERE group_id = ? FOR UPDATE').get(groupId);
    for (const j of joiners) j.child.stdin.end('go\n');
    const waiting = db.prepare<[], number>("SELECT COUNT(*)::int FROM pg_stat_activity WHERE application_name LIKE 'magpie-joiner-%' AND wait_event_type = 'Lock'").pluck();
    const deadline = Date.now() + 10_000;
    while (waiting.get() !== 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    db.exec('COMMIT');
    const answers = (await Promise.all(joiners.map((j) => j.answer))).sort();
    expect(answers).toEqual(['joined', `refused ${ErrorCode.GROUP_FULL}`].sort());
    const count = db.prepare<[string], number>('SELECT member_count FROM groups WHERE group_id = ?').pluck().get(groupId);
    const members = db.prepare<[string], number>('SELECT COUNT(*)::int FROM group_members WHERE group_id = ?').pluck().get(groupId);
    expect([count, members]).toEqual([2, 2]);
  });
});
