/**
 * The one order of a conversation's items (messages and group notices), shared by the core (its
 * history pages, the chat list's last line, the CLI) and the page (the chat's message list), so no
 * two of them can place the same two items differently. Pure: the page imports it through api.ts.
 */

/** What places an item in its conversation. A MessageView is one as it is. */
export interface ConversationItemOrder {
  readonly timeMs: number;
  /** The peer's user id or the group id: a timeline seq orders items of its own group only. */
  readonly conversation: string;
  /** The user's inbox seq; absent for an item that did not come through the inbox (a large group's timeline, an unsent message). */
  readonly seq?: number | null;
  /** A large group's message: its seq in the group's timeline; absent for every other item (notices included). */
  readonly timelineSeq?: number | null;
  /** The server's message id; a notice and an unsent message have none. */
  readonly msgId?: number | null;
  /** The local key (a message's row id, 'n' + a notice's seq): the last tie-break, so the order is total. */
  readonly key: string;
}

/**
 * Time first; in one millisecond the server's order where both items have a seq of one sequence:
 * the inbox's (it gave the seqs in the order it stored them, a notice and a message alike), or the
 * timeline of the group both belong to (a large group's messages); else the server's message id (an
 * item without one after those with one: a large group's notice, which has no timeline seq, after
 * a timeline message of its millisecond), then the key.
 */
export function compareConversationItems(a: ConversationItemOrder, b: ConversationItemOrder): number {
  if (a.timeMs !== b.timeMs) return a.timeMs - b.timeMs;
  if (typeof a.seq === 'number' && typeof b.seq === 'number' && a.seq !== b.seq) return a.seq - b.seq;
  if (typeof a.timelineSeq === 'number' && typeof b.timelineSeq === 'number' && a.conversation === b.conversation && a.timelineSeq !== b.timelineSeq) {
    return a.timelineSeq - b.timelineSeq;
  }
  const am = a.msgId ?? Number.MAX_SAFE_INTEGER;
  const bm = b.msgId ?? Number.MAX_SAFE_INTEGER;
  if (am !== bm) return am - bm;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
