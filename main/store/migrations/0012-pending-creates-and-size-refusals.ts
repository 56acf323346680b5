import type { Migration } from '../migrate';

/**
 * group_creates_pending  the request id of each group create not answered yet (main/groups/
 *                        group-create-ids.ts), by the settings it asked for, so a create asked
 *                        again after the app or the CLI restarted (a crash between the send and the
 *                        answer) carries the same id and the server answers the group the first
 *                        made. Removed once answered; older than the memory, it is forgotten.
 * outbox.error_size_bytes, outbox.error_limit_bytes
 *                        a media message refused for its size (FILE_TOO_LARGE): the file's size and
 *                        the limit it broke, as the server's refusal gave them as data, so the app
 *                        says both without reading them out of the error's words. NULL otherwise.
 */
export const migration0012: Migration = {
  version: 12,
  name: 'pending-creates-and-size-refusals',
  up(db) {
    db.exec(`
      CREATE TABLE group_creates_pending (
        settings_key  TEXT PRIMARY KEY,
        request_id    BLOB NOT NULL,
        since_ms      INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      ALTER TABLE outbox ADD COLUMN error_size_bytes INTEGER;
      ALTER TABLE outbox ADD COLUMN error_limit_bytes INTEGER;
    `);
  },
};
