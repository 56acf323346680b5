import type { Migration } from '../migrate';

/**
 * How far the CLI's `listen` has printed (docs/client.md, "listen"), so each incoming message and
 * notice is printed once across runs, none skipped.
 *
 * listen_cursor   at most one row (made by the profile's first listen): every incoming message
 *                 stored at or below message_mark (a local_id) and every notice at or below
 *                 notice_mark (a seq) is printed or was passed over; history_pending = 1 while the
 *                 first catch-up of a profile that had never synced is still to be cut to the
 *                 newest N a `listen --count N` prints of it.
 * listen_printed  what was printed above those marks (the chat's order is by time, not by the order
 *                 rows were stored): kind 'm' (a message's local_id) or 'n' (a notice's seq). Rows
 *                 at or below a mark are deleted as the mark rises, so it holds about one catch-up.
 */
export const migration0011: Migration = {
  version: 11,
  name: 'listen-cursor',
  up(db) {
    db.exec(`
      CREATE TABLE listen_cursor (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        message_mark     INTEGER NOT NULL,
        notice_mark      INTEGER NOT NULL,
        history_pending  INTEGER NOT NULL,
        updated_ms       INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE listen_printed (
        kind  TEXT NOT NULL CHECK (kind IN ('m', 'n')),
        id    INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
