/** How the conversation list is ordered and filtered: pure functions, tested on their own. */
import type { ConversationView } from '../../../preload/api';

/** Pinned first, then the most recent activity, then id so the order is stable. */
export function compareConversations(a: ConversationView, b: ConversationView): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (a.lastTimeMs !== b.lastTimeMs) return b.lastTimeMs - a.lastTimeMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function orderConversations(list: Iterable<ConversationView>): ConversationView[] {
  return [...list].sort(compareConversations);
}

/**
 * Keeps the conversations whose title, id, preview or draft contains the filter, ignoring case.
 * The preview is matched as the list shows it (`shownPreview`: "You revoked a message", "[图片]"),
 * never the core's stored codes ("[revoked]"), so the filter finds what the user reads.
 */
export function filterConversations(list: ConversationView[], filter: string, shownPreview: (c: ConversationView) => string): ConversationView[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return list;
  return list.filter((c) =>
    // the isolate characters around a preview's names and words are no words: "carol: hi" still matches
    [c.title, c.id, shownPreview(c).replace(/[\u2066-\u2069]/gu, ''), c.draft].some((field) => field.toLowerCase().includes(needle)),
  );
}

/** Unread count for the tray and the rail: muted conversations do not count. */
export function totalUnread(list: Iterable<ConversationView>): number {
  let sum = 0;
  for (const c of list) if (!c.muted) sum += c.unread;
  return sum;
}

/** A conversation the list does not hold yet, shown until the core reports the real one. */
export function placeholderConversation(id: string, title?: string): ConversationView {
  return {
    id,
    kind: id.startsWith('g') ? 'group' : 'user',
    title: title ?? id,
    unread: 0,
    mentioned: false,
    lastPreview: '',
    lastTimeMs: 0,
    draft: '',
    pinned: false,
    muted: false,
  };
}
