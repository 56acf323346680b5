/**
 * Message history per conversation: the latest page when a conversation opens, older pages as the
 * reader scrolls up (messages.page from the cursor the previous page handed back), and the core's
 * upserted/removed events.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { HistoryCursor, MessageView, OutgoingContent } from '../../../preload/api';
import { useBackend } from './backend';
import { mergeMessages, removeMessage } from './message-list';

export interface History {
  items: MessageView[];
  /** The core has older messages than items[0]. */
  more: boolean;
  loading: boolean;
  /** The latest page was fetched at least once. */
  loaded: boolean;
  /**
   * Where the next older page starts, as the core handed it back. Not the oldest item held: an
   * event may bring in an older message, and messages of one millisecond need the row to part them.
   */
  next?: HistoryCursor;
}

export const PAGE_SIZE = 40;

function emptyHistory(): History {
  return { items: [], more: true, loading: false, loaded: false };
}

export const useMessages = defineStore('messages', () => {
  const backend = useBackend();
  const histories = ref<Record<string, History>>({});
  /**
   * The message a search jumped to, shown highlighted in its conversation until the reader moves on
   * (sends, jumps to the latest, opens another chat). A new object at each jump, so jumping to the
   * same hit again scrolls to it again.
   */
  const highlight = ref<{ conversation: string; key: string } | null>(null);

  function history(conversation: string): History {
    return histories.value[conversation] ?? emptyHistory();
  }

  function update(conversation: string, change: (h: History) => Partial<History>): void {
    const current = history(conversation);
    histories.value = { ...histories.value, [conversation]: { ...current, ...change(current) } };
  }

  function upsert(message: MessageView): void {
    update(message.conversation, (h) => ({ items: mergeMessages(h.items, [message]) }));
  }

  function remove(conversation: string, key: string): void {
    if (!histories.value[conversation]) return;
    update(conversation, (h) => ({ items: removeMessage(h.items, key) }));
  }

  /** Newest-page fetches in flight: a second caller (a search jump into the chat just opened) waits for it. */
  const latestInFlight = new Map<string, Promise<void>>();

  function loadLatest(conversation: string): Promise<void> {
    const running = latestInFlight.get(conversation);
    if (running) return running;
    if (history(conversation).loading) return Promise.resolve();
    const fetch = fetchLatest(conversation).finally(() => latestInFlight.delete(conversation));
    latestInFlight.set(conversation, fetch);
    return fetch;
  }

  async function fetchLatest(conversation: string): Promise<void> {
    update(conversation, () => ({ loading: true }));
    const page = await backend.run('messages.page', { conversation, limit: PAGE_SIZE });
    update(conversation, (h) =>
      page
        ? {
            items: mergeMessages(h.items, page.messages),
            more: h.loaded ? h.more : page.more,
            next: h.loaded ? h.next : page.next,
            loading: false,
            loaded: true,
          }
        : { loading: false },
    );
  }

  /** Older-page fetches in flight, so a second caller waits for the same page instead of skipping. */
  const olderInFlight = new Map<string, Promise<number>>();

  /** Fetches the page before the oldest message held; returns how many new messages came. */
  function loadOlder(conversation: string): Promise<number> {
    const running = olderInFlight.get(conversation);
    if (running) return running;
    const h = history(conversation);
    if (h.loading || !h.more || !h.loaded) return Promise.resolve(0);
    const fetch = fetchOlder(conversation).finally(() => olderInFlight.delete(conversation));
    olderInFlight.set(conversation, fetch);
    return fetch;
  }

  async function fetchOlder(conversation: string): Promise<number> {
    const next = history(conversation).next;
    if (!next) {
      update(conversation, () => ({ more: false }));
      return 0;
    }
    update(conversation, () => ({ loading: true }));
    const page = await backend.run('messages.page', { conversation, limit: PAGE_SIZE, before: next });
    if (!page) {
      update(conversation, () => ({ loading: false }));
      return 0;
    }
    const before = history(conversation).items.length;
    update(conversation, (cur) => ({ items: mergeMessages(cur.items, page.messages), more: page.more, next: page.next, loading: false }));
    return history(conversation).items.length - before;
  }

  /** Loads older pages until `key` is held or history runs out (for a search jump). */
  async function loadUntil(conversation: string, key: string, maxPages = 50): Promise<boolean> {
    if (!history(conversation).loaded) await loadLatest(conversation);
    for (let i = 0; i < maxPages; i++) {
      if (history(conversation).items.some((m) => m.key === key)) return true;
      const added = await loadOlder(conversation);
      if (added === 0 && (!history(conversation).more || history(conversation).loading)) break;
    }
    return history(conversation).items.some((m) => m.key === key);
  }

  /** Sends; the refusal (the core's or the link's) comes back for the composer to show, not as a toast. */
  async function send(conversation: string, content: OutgoingContent): Promise<{ code: number; message: string } | null> {
    const result = await backend.call('message.send', { conversation, content });
    if (!result.ok) return result.error;
    upsert(result.value);
    return null;
  }

  async function retry(key: string): Promise<void> {
    const message = await backend.run('message.retry', { key });
    if (message) upsert(message);
  }

  async function revoke(key: string): Promise<void> {
    await backend.run('message.revoke', { key });
  }

  /** Withdraws a message of mine not yet sent: it leaves the outbox and the conversation. */
  async function cancel(conversation: string, key: string): Promise<void> {
    const done = await backend.run('message.cancel', { key });
    if (done !== undefined) remove(conversation, key);
  }

  async function deleteLocal(conversation: string, key: string): Promise<void> {
    const done = await backend.run('message.deleteLocal', { key });
    if (done !== undefined) remove(conversation, key);
  }

  /** Burn-after-reading: once opened and its countdown ran out, it is burned on both sides. */
  async function burn(message: MessageView): Promise<void> {
    upsert({ ...message, burned: true, text: '' });
    const burned = await backend.run('message.burn', { key: message.key });
    if (burned) upsert(burned);
  }

  async function readers(key: string): Promise<{ read: string[]; unread: string[] } | undefined> {
    return backend.run('message.readers', { key });
  }

  function reset(): void {
    histories.value = {};
    highlight.value = null;
  }

  return {
    histories, highlight, history, upsert, remove, loadLatest, loadOlder, loadUntil, send, retry, revoke,
    cancel, deleteLocal, burn, readers, reset,
  };
});
