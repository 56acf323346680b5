import type { Migration } from '../migration';

/**
 * The one-to-one conversations each user muted, by the peer's id: kept on the server so every
 * device of the user shows the same mute and the offline push skips them (a group's mute is its
 * do-not-disturb, group_members.dnd).
 */
export const migration0008ConversationMutes: Migration = {
  version: 8,
  name: 'conversation-mutes',
  up(db) {
    db.exec(`
      CREATE TABLE conversation_mutes (
        app_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        peer TEXT NOT NULL,
        PRIMARY KEY (app_id, user_id, peer)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
