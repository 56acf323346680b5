/**
 * One conversation's history as a sorted array: merging pages and upserted messages without
 * duplicates (by key), and removing. Pure functions, so the paging rules are tested alone.
 */
import { compareConversationItems, type MessageView } from '../../../preload/api';

/**
 * The key of a file's bubble the page shows before the core has the file (stores/media.ts): this,
 * then the client id the page made for it, which the core's message takes.
 */
export const HANDOVER_KEY_PREFIX = 'handover-';

export function isHandoverKey(key: string): boolean {
  return key.startsWith(HANDOVER_KEY_PREFIX);
}

/**
 * Returns a new sorted list with `incoming` merged in; a message with a known key replaces the old,
 * and the core's message replaces the page's bubble of the same client id (never both shown).
 */
export function mergeMessages(list: readonly MessageView[], incoming: readonly MessageView[]): MessageView[] {
  if (incoming.length === 0) return list as MessageView[];
  const byKey = new Map<string, MessageView>();
  for (const m of list) byKey.set(m.key, m);
  for (const m of incoming) {
    if (isHandoverKey(m.key)) {
      // the core's message of it came first: the page's bubble is not shown again
      if ([...byKey.values()].some((other) => other.clientMsgId === m.clientMsgId && !isHandoverKey(other.key))) continue;
    } else if (m.clientMsgId) {
      byKey.delete(`${HANDOVER_KEY_PREFIX}${m.clientMsgId}`);
    }
    byKey.set(m.key, m);
  }
  return [...byKey.values()].sort(compareConversationItems);
}

export function removeMessage(list: readonly MessageView[], key: string): MessageView[] {
  return list.filter((m) => m.key !== key);
}

/**
 * Rows the history shows: messages, with a centred time before the first message, before each
 * message that follows the one before it by more than TIME_GAP_MS, and at each new day; and the
 * "N new messages" line right above the first unread message, when the chat has one.
 */
export type HistoryRow =
  | { type: 'time'; key: string; timeMs: number }
  | { type: 'unread'; key: string; count: number }
  | { type: 'message'; key: string; message: MessageView };

export const UNREAD_ROW_KEY = 'unread-marker';

export const TIME_GAP_MS = 5 * 60_000;

export function startOfDay(timeMs: number): number {
  const d = new Date(timeMs);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export function historyRows(list: readonly MessageView[], unread?: { key: string; count: number }): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let previousMs = Number.NaN;
  for (const message of list) {
    const gap = !(message.timeMs - previousMs <= TIME_GAP_MS) || startOfDay(message.timeMs) !== startOfDay(previousMs);
    if (gap) rows.push({ type: 'time', key: `time:${message.key}`, timeMs: message.timeMs });
    previousMs = message.timeMs;
    if (unread && message.key === unread.key) rows.push({ type: 'unread', key: UNREAD_ROW_KEY, count: unread.count });
    rows.push({ type: 'message', key: message.key, message });
  }
  return rows;
}
