import type { SqlDatabase } from '../../sql-database';

/** PostgreSQL body of step 14: a group's mute all. */
export function pgGroupMuteAll(db: SqlDatabase): void {
  db.exec('ALTER TABLE groups ADD COLUMN mute_all BIGINT NOT NULL DEFAULT 0');
}
