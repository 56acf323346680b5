import type { Migration } from '../migration';

/**
 * group_creates: the request id a client gave a GROUP create, and the group it made, for a day
 * (Tuning.groupCreateMemoryMs): a repeat of that create (its answer was lost with the connection,
 * or the user pressed Create again) is answered with that group instead of making a second one
 * (server/groups/group-creates.ts). Rows older than the day are swept as creates come in.
 */
export const migration0015GroupCreates: Migration = {
  version: 15,
  name: 'group-creates',
  up(db) {
    db.exec(`
      CREATE TABLE group_creates (
        app_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        request_id BLOB NOT NULL,
        group_id TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (app_id, user_id, request_id)
      ) WITHOUT ROWID;
      CREATE INDEX group_creates_by_time ON group_creates(created_ms);
    `);
  },
};
