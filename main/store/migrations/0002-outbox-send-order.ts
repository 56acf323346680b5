import type { Migration } from '../migrate';

/**
 * The outbox is sent in the order messages were written (local_id), not by created_ms: messages
 * written in the same millisecond tied there and went out in the order of their random client ids,
 * so the peer saw a burst reordered.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'outbox-send-order',
  up(db) {
    db.exec(`
      DROP INDEX outbox_by_state;
      -- what to send next, in the order it was written
      CREATE INDEX outbox_by_state ON outbox (state, local_id);
    `);
  },
};
