import { expect } from 'vitest';
import { pb } from '../../../protocol';
import { createGroupStore } from '../../../server/groups/group-store';
import { createMembershipStore } from '../../../server/groups/membership';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import type { SqlDatabase } from '../../../server/storage/sql-database';

/**
 * Migration 14 on a database of migration 13 holding a group: the group keeps everything it had,
 * with mute all off, and mute all is then stored and read back. The same steps for SQLite and
 * PostgreSQL (group-mute-all-migration.test.ts, pg/pg-group-mute-all-migration.test.ts).
 */
export function checkMuteAllMigration(db: SqlDatabase): void {
  expect(runMigrations(db, migrations.slice(0, 13))).toBe(13);
  db.prepare(
    `INSERT INTO groups (app_id, group_id, name, owner, type, mode, announcement, invite_confirm, capacity, member_count, created_ms)
     VALUES ('app', 'g0000000000000001', 'old team', 'alice', 2, 1, 'hello', 1, 500, 1, 1000)`,
  ).run();
  expect(runMigrations(db, migrations.slice(0, 14))).toBe(14);
  const membership = createMembershipStore(db);
  expect(membership.group('app', 'g0000000000000001')).toEqual({
    groupId: 'g0000000000000001',
    name: 'old team',
    owner: 'alice',
    type: pb.GroupType.SENIOR,
    mode: pb.GroupMode.APPROVAL,
    announcement: 'hello',
    inviteConfirm: true,
    capacity: 500,
    memberCount: 1,
    createdMs: 1000,
    dismissedMs: null,
    muteAll: false,
  });
  const store = createGroupStore(db);
  store.modify('app', 'g0000000000000001', { muteAll: true });
  expect(membership.group('app', 'g0000000000000001')?.muteAll).toBe(true);
  // a modify of something else leaves it as it is
  store.modify('app', 'g0000000000000001', { name: 'new team' });
  expect(membership.group('app', 'g0000000000000001')).toMatchObject({ name: 'new team', muteAll: true });
  store.modify('app', 'g0000000000000001', { muteAll: false });
  expect(membership.group('app', 'g0000000000000001')?.muteAll).toBe(false);
}
