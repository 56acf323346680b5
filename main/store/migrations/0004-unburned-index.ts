import type { Migration } from '../migrate';

/**
 * Burn-after-reading messages not yet burned, per conversation: a READ sent for a conversation
 * stops before the oldest of them (the server burns what a READ covers), so this is asked at every
 * mark-read and must not walk the conversation's history.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'unburned-index',
  up(db) {
    db.exec(`
      CREATE INDEX messages_unburned ON messages (conversation, msg_id)
        WHERE burn_after_reading = 1 AND burned = 0 AND outgoing = 0;
    `);
  },
};
