/**
 * Where a chat's "N new messages" line goes: above the first of the messages that were unread
 * when the chat came into sight. Pure, so the counting rule is tested alone.
 */
import type { MessageView } from '../../../preload/api';

/** A message counts as unread as the core counts it: someone else's, not revoked or burned (notices never). */
export function countsAsUnread(message: MessageView): boolean {
  return !message.outgoing && message.kind !== 'notice' && !message.revoked && !message.burned;
}

export type UnreadStart =
  /** The first unread message is held: the line goes above it. */
  | { found: true; key: string }
  /** Older pages must be loaded to reach it. */
  | { found: false };

/**
 * The first unread of `count` counting back from `boundaryKey` (the newest message held when the
 * chat came into sight; what came later was read as it came). When the history runs out before
 * `count` (`complete`: no older page), the oldest message held is the first.
 */
export function firstUnread(items: readonly MessageView[], boundaryKey: string, count: number, complete: boolean): UnreadStart | null {
  if (count <= 0 || items.length === 0) return null;
  let at = items.findIndex((m) => m.key === boundaryKey);
  if (at < 0) at = items.length - 1;
  let seen = 0;
  for (let i = at; i >= 0; i--) {
    const message = items[i]!;
    if (countsAsUnread(message) && ++seen === count) return { found: true, key: message.key };
  }
  if (!complete) return { found: false };
  const oldest = items.find(countsAsUnread);
  return oldest ? { found: true, key: oldest.key } : null;
}
