import type { Migration } from '../migrate';

/**
 * Read marks the server has not yet accepted (a chat read, or a burn-after-reading message opened,
 * while offline): one row per conversation with the highest mark, sent after the next login and
 * deleted once the server answers it. Kept on disk so a run that ends before that login still
 * sends it next time.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'unsent-reads',
  up(db) {
    db.exec(`
      CREATE TABLE unsent_reads (
        conversation  TEXT PRIMARY KEY,
        up_to_msg_id  INTEGER NOT NULL,
        marked_ms     INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
