import type { Migration } from '../migration';

/** Groups, their members and the applications and invites that wait for a decision. */
export const migration0003Groups: Migration = {
  version: 3,
  name: 'groups',
  up(db) {
    db.exec(`
      CREATE TABLE groups (
        app_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        name TEXT NOT NULL,
        owner TEXT NOT NULL,
        type INTEGER NOT NULL,
        mode INTEGER NOT NULL,
        announcement TEXT NOT NULL DEFAULT '',
        invite_confirm INTEGER NOT NULL DEFAULT 0,
        capacity INTEGER NOT NULL,
        member_count INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        dismissed_ms INTEGER,
        PRIMARY KEY (app_id, group_id)
      ) STRICT, WITHOUT ROWID;
      -- search walks the open groups of one app
      CREATE INDEX groups_searchable ON groups(app_id, created_ms)
        WHERE dismissed_ms IS NULL AND mode IN (0, 1);

      CREATE TABLE group_members (
        app_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        role INTEGER NOT NULL,
        card TEXT NOT NULL DEFAULT '',
        mute_until_ms INTEGER NOT NULL DEFAULT 0,
        dnd INTEGER NOT NULL DEFAULT 0,
        joined_ms INTEGER NOT NULL,
        PRIMARY KEY (app_id, group_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX group_members_by_user ON group_members(app_id, user_id);
      CREATE INDEX group_members_by_role ON group_members(app_id, group_id, role, joined_ms);

      CREATE TABLE group_requests (
        request_id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        -- 1 an application, 2 an invite waiting for the invitee
        kind INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        -- 0 pending, 1 accepted, 2 refused, 3 dropped (the group went away or the user joined)
        state INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        decided_ms INTEGER,
        decided_by TEXT
      ) STRICT;
      CREATE INDEX group_requests_pending ON group_requests(app_id, group_id, user_id, kind) WHERE state = 0;
    `);
  },
};
