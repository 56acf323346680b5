import type { Migration } from '../migration';

/**
 * push_pending.mention says how the pending messages mention the recipient, as a rank a merge
 * keeps the greatest of: 0 none, 1 @all, 2 a personal @mention (server/push/push-queue.ts). Before,
 * 1 stood for either and the push said "[@you]": such rows keep saying it.
 */
export const migration0012PushMentionKinds: Migration = {
  version: 12,
  name: 'push-mention-kinds',
  up(db) {
    db.exec('UPDATE push_pending SET mention = 2 WHERE mention = 1');
  },
  postgres(db) {
    db.exec('UPDATE push_pending SET mention = 2 WHERE mention = 1');
  },
};
