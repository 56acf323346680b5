import type { Database } from 'better-sqlite3';
import type { Appended, InboxStore } from '../sync/inbox';
import type { TimelineStore } from './timeline-store';

/**
 * A 2.0 client does not know timelines (docs/protocol.md section 7): for its user, what the user
 * may read of each large group's timeline is copied into the user's inbox, as write diffusion
 * would have put it there, when such a client logs in, syncs, or is online for a push. Only
 * that user pays: a 2.1 client of the same user meets the copies in its inbox and keeps each
 * message once, by msg_id. Messages the inbox already has (the user's own, those mentioning the
 * user) are not copied again. Runs in one transaction; returns the appended entries, to push.
 */
export function copyTimelinesToInbox(db: Database, store: TimelineStore, inbox: InboxStore, appId: string, userId: string): Appended[] {
  return db.transaction(() => {
    const appended: Appended[] = [];
    const cursors = store.copiedCursors(appId, userId);
    for (;;) {
      const page = store.page(appId, userId, cursors, 200, Number.MAX_SAFE_INTEGER);
      for (const slice of page.slices) {
        for (const entry of slice.entries) {
          const item = entry.item;
          if (item.case === 'message') {
            const message = item.value;
            if (message.from === userId || message.mentions.includes(userId)) continue;
            appended.push(...inbox.append(appId, [userId], { case: 'message', message, own: false }));
          } else if (item.case === 'revoked') {
            appended.push(...inbox.append(appId, [userId], { case: 'revoked', value: item.value }));
          }
        }
        const upTo = slice.more ? Number(slice.entries.at(-1)!.seq) : slice.maxSeq;
        cursors.set(slice.groupId, upTo);
        store.setCopied(appId, userId, slice.groupId, upTo);
      }
      if (!page.more) return appended;
    }
  })();
}
