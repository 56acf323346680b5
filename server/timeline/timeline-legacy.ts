import type { SqlDatabase } from '../storage/sql-database';
import type { Appended, InboxStore } from '../sync/inbox';
import type { TimelineStore } from './timeline-store';

/** The result of one copy: the appended inbox entries, and whether the backlog is all copied. */
export interface LegacyCopy {
  readonly appended: Appended[];
  /** False: more is left to copy, from the stored cursor, at the user's next copy (its next SYNC). */
  readonly done: boolean;
}

/** Timeline entries read per page while copying. */
const COPY_PAGE_ENTRIES = 200;

/**
 * A 2.0 client does not know timelines (docs/protocol.md section 7): for its user, what the user
 * may read of each large group's timeline is copied into the user's inbox, as write diffusion
 * would have put it there, when such a client logs in, syncs, or is online for a push. Only
 * that user pays: a 2.1 client of the same user meets the copies in its inbox and keeps each
 * message once, by msg_id. Messages the inbox already has (the user's own, those mentioning the
 * user) are not copied again. Runs in one transaction and reads at most `maxEntries` timeline
 * entries (tuning.legacyCopyEntriesPerCall), so a long backlog never blocks the event loop in one
 * go: the rest is copied by the following calls, from the cursors stored here.
 */
export function copyTimelinesToInbox(
  db: SqlDatabase,
  store: TimelineStore,
  inbox: InboxStore,
  appId: string,
  userId: string,
  maxEntries: number,
): LegacyCopy {
  return db.transaction((): LegacyCopy => {
    const appended: Appended[] = [];
    const cursors = store.copiedCursors(appId, userId);
    let left = maxEntries;
    for (;;) {
      const page = store.page(appId, userId, cursors, Math.min(COPY_PAGE_ENTRIES, left), Number.MAX_SAFE_INTEGER);
      for (const slice of page.slices) {
        left -= slice.entries.length;
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
      if (!page.more) return { appended, done: true };
      if (left <= 0) return { appended, done: false };
    }
  })();
}

/**
 * Copies one timeline entry's backlog for each of the members online with a 2.0 client, all in
 * one transaction (one commit per SEND or REVOKE, not one per member). A member whose copy fails
 * is reported to `onError` and skipped (its copy is rolled back, and made at its next SYNC): the
 * SEND or REVOKE is committed already and the other members still get theirs. Never throws.
 */
export function copyTimelinesForMembers(
  db: SqlDatabase,
  store: TimelineStore,
  inbox: InboxStore,
  appId: string,
  userIds: readonly string[],
  maxEntries: number,
  onError: (error: unknown, userId?: string) => void,
): Appended[] {
  try {
    // in key order: each copy locks its member's inbox head (PostgreSQL), and two nodes copying
    // for the same members must take those locks in the same order
    return db.transaction(() =>
      [...userIds].sort().flatMap((userId) => {
        try {
          // nested: a savepoint of its own, rolled back alone when it throws
          return copyTimelinesToInbox(db, store, inbox, appId, userId, maxEntries).appended;
        } catch (error) {
          onError(error, userId);
          return [];
        }
      }),
    )();
  } catch (error) {
    onError(error);
    return [];
  }
}
