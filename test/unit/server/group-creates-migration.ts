import { expect } from 'vitest';
import { createGroupCreates } from '../../../server/groups/group-creates';
import { GROUP_LIMITS } from '../../../server/groups/group-limits';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import type { SqlDatabase } from '../../../server/storage/sql-database';

/**
 * Migration 15 on a database of migration 14 holding a group: the group stays, and a create's
 * request id is then recorded and found, per app and user, for the memory only. The same steps
 * for SQLite and PostgreSQL (group-creates-migration.test.ts, pg/pg-group-creates-migration.test.ts).
 */
export function checkGroupCreatesMigration(db: SqlDatabase): void {
  expect(runMigrations(db, migrations.slice(0, 14))).toBe(14);
  db.prepare(
    `INSERT INTO groups (app_id, group_id, name, owner, type, mode, announcement, invite_confirm, capacity, member_count, created_ms)
     VALUES ('app', 'g0000000000000001', 'old team', 'alice', 2, 1, '', 0, 500, 1, 1000)`,
  ).run();
  expect(runMigrations(db, migrations.slice(0, 15))).toBe(15);
  expect(db.prepare<[], string>("SELECT name FROM groups WHERE group_id = 'g0000000000000001'").pluck().get()).toBe('old team');

  const creates = createGroupCreates(db);
  const id = new Uint8Array(16).fill(7);
  const now = 5_000_000;
  creates.record('app', 'alice', id, 'g0000000000000002', now);
  expect(creates.groupOf('app', 'alice', id, now + 1)).toBe('g0000000000000002');
  expect(creates.groupOf('app', 'bob', id, now + 1)).toBeUndefined();
  expect(creates.groupOf('other', 'alice', id, now + 1)).toBeUndefined();
  expect(creates.groupOf('app', 'alice', new Uint8Array(16).fill(8), now + 1)).toBeUndefined();
  expect(creates.groupOf('app', 'alice', id, now + GROUP_LIMITS.createRequestMemoryMs)).toBeUndefined();
  // one row per app, user and id: a second at once is refused by the key (a retried conflict on PostgreSQL)
  expect(() => db.prepare("INSERT INTO group_creates (app_id, user_id, request_id, group_id, created_ms) VALUES ('app', 'alice', ?, 'g3', 1)").run(id)).toThrow();
  // an expired one gives way
  creates.record('app', 'alice', id, 'g0000000000000004', now + GROUP_LIMITS.createRequestMemoryMs);
  expect(creates.groupOf('app', 'alice', id, now + GROUP_LIMITS.createRequestMemoryMs + 1)).toBe('g0000000000000004');
}
