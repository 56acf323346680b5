import type { Migration } from '../migrate';

/**
 * One cursor per large group's timeline (protocol 2.1, docs/protocol.md section 7): the newest
 * timeline seq stored here, raised in the same transaction as its entries, and the newest this
 * device confirmed to the server.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'timeline-cursors',
  up(db) {
    db.exec(`
      CREATE TABLE timeline_cursors (
        group_id       TEXT PRIMARY KEY,
        applied_seq    INTEGER NOT NULL DEFAULT 0,
        confirmed_seq  INTEGER NOT NULL DEFAULT 0,
        updated_ms     INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
