import type { SqlDatabase } from '../../sql-database';

/** PostgreSQL body of step 15: the request ids of group creates, for a repeat to find its group. */
export function pgGroupCreates(db: SqlDatabase): void {
  db.exec(`
    CREATE TABLE group_creates (
      app_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      request_id BYTEA NOT NULL,
      group_id TEXT NOT NULL,
      created_ms BIGINT NOT NULL,
      PRIMARY KEY (app_id, user_id, request_id)
    );
    CREATE INDEX group_creates_by_time ON group_creates(created_ms);
  `);
}
