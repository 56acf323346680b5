import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HistoryCursor, MessageView } from '../../../preload/api';
import { useBackend } from '../../../renderer/src/stores/backend';
import { wireEvents } from '../../../renderer/src/stores/event-wiring';
import { historyRows, mergeMessages, removeMessage } from '../../../renderer/src/stores/message-list';
import { useMessages } from '../../../renderer/src/stores/messages';
import { createFakeApi, message, type FakeApi } from './fake-api';

/**
 * A history of `count` messages, `perMs` of them sharing each millisecond (the server stamps a
 * batch with one time), keyed by row id as the core keys them.
 */
function archive(count: number, perMs = 1): MessageView[] {
  return Array.from({ length: count }, (_, i) => {
    const timeMs = 1_700_000_000_000 + Math.floor(i / perMs) * 60_000;
    return message(String(i + 1), timeMs, { msgId: i + 1, text: `m${i}` });
  });
}

/** Pages as the core's store does: strictly before (time, row id), newest page when no cursor. */
function pager(all: MessageView[]) {
  const rowOf = (m: { key: string }) => Number(m.key);
  const before = (m: MessageView, c: HistoryCursor) => m.timeMs < c.timeMs || (m.timeMs === c.timeMs && rowOf(m) < rowOf(c));
  return ({ before: cursor, limit = 40 }: { before?: HistoryCursor; limit?: number }) => {
    const older = all.filter((m) => cursor === undefined || before(m, cursor));
    const page = older.slice(-limit);
    const more = older.length > limit;
    const oldest = page[0];
    return more && oldest ? { messages: page, more, next: { timeMs: oldest.timeMs, key: oldest.key } } : { messages: page, more };
  };
}

describe('merging a history', () => {
  it('sorts by time and replaces a message with the same key', () => {
    const list = mergeMessages([message('a', 1), message('c', 3)], [message('b', 2), message('a', 1, { state: 'read' })]);
    expect(list.map((m) => m.key)).toEqual(['a', 'b', 'c']);
    expect(list[0]?.state).toBe('read');
  });

  it('moves a sent message to its server time', () => {
    const sending = message('local', 50, { outgoing: true, state: 'sending', msgId: undefined });
    const list = mergeMessages([message('a', 10), sending, message('b', 60)], [{ ...sending, timeMs: 70, state: 'sent', msgId: 70 }]);
    expect(list.map((m) => m.key)).toEqual(['a', 'b', 'local']);
  });

  it('puts the core\'s message in place of the page\'s bubble of the same client id, whichever comes first', () => {
    const bubble = message('handover-00ff', 50, { outgoing: true, state: 'sending', msgId: undefined, clientMsgId: '00ff' });
    const core = message('12', 50, { outgoing: true, state: 'sending', msgId: undefined, clientMsgId: '00ff' });
    const later = message('13', 60, { outgoing: true, state: 'sending', msgId: undefined, clientMsgId: 'aaaa' });
    expect(mergeMessages([bubble, later], [core]).map((m) => m.key)).toEqual(['12', '13']);
    // the bubble marked failed after the core's message came (its answer lost): not shown again
    expect(mergeMessages([core, later], [{ ...bubble, state: 'failed' }]).map((m) => m.key)).toEqual(['12', '13']);
    expect(mergeMessages([later], [bubble]).map((m) => m.key)).toEqual(['handover-00ff', '13']);
  });

  it('removes by key', () => {
    expect(removeMessage([message('a', 1), message('b', 2)], 'a').map((m) => m.key)).toEqual(['b']);
  });

  it('puts a time before the first message, after a gap of more than 5 minutes, and at each new day', () => {
    const day = new Date(2026, 0, 5, 9).getTime();
    const minute = 60_000;
    const rows = historyRows([
      message('a', day),
      message('b', day + 5 * minute),
      message('c', day + 11 * minute),
      message('d', day + 86_400_000),
    ]);
    expect(rows.map((r) => (r.type === 'time' ? `time@${r.timeMs - day}` : r.key))).toEqual([
      'time@0', 'a', 'b', `time@${11 * minute}`, 'c', `time@${86_400_000}`, 'd',
    ]);
    const lateNight = new Date(2026, 0, 5, 23, 58).getTime();
    expect(historyRows([message('x', lateNight), message('y', lateNight + 3 * minute)]).map((r) => r.type)).toEqual(['time', 'message', 'time', 'message']);
  });
});

describe('the messages store', () => {
  let api: FakeApi;
  const all = archive(100);

  beforeEach(() => {
    setActivePinia(createPinia());
    api = createFakeApi({ 'messages.page': pager(all) });
    useBackend().attach(api);
  });

  it('loads the latest page, then older pages before the oldest held, without duplicates', async () => {
    const store = useMessages();
    await store.loadLatest('alice');
    expect(store.history('alice').items.map((m) => m.key)).toEqual(all.slice(60).map((m) => m.key));
    expect(store.history('alice').more).toBe(true);

    expect(await store.loadOlder('alice')).toBe(40);
    expect(api.callsOf('messages.page')[1]).toEqual({ conversation: 'alice', limit: 40, before: { timeMs: all[60]!.timeMs, key: all[60]!.key } });
    expect(await store.loadOlder('alice')).toBe(20);
    expect(store.history('alice').more).toBe(false);
    expect(await store.loadOlder('alice')).toBe(0);
    expect(api.callsOf('messages.page')).toHaveLength(3);

    const keys = store.history('alice').items.map((m) => m.key);
    expect(keys).toEqual(all.map((m) => m.key));
    expect(new Set(keys).size).toBe(100);
  });

  it('pages through messages that share the boundary millisecond without dropping one', async () => {
    setActivePinia(createPinia());
    // batches of 5 in one millisecond: with pages of 40 the edge falls inside a batch
    const batched = archive(103, 5);
    useBackend().attach(createFakeApi({ 'messages.page': pager(batched) }));
    const store = useMessages();
    await store.loadLatest('alice');
    while ((await store.loadOlder('alice')) > 0);
    expect(store.history('alice').items.map((m) => m.text)).toEqual(batched.map((m) => m.text));
    expect(store.history('alice').more).toBe(false);
  });

  it('pages from the cursor the core handed back, not from an older message an event brought in', async () => {
    const store = useMessages();
    wireEvents();
    await store.loadLatest('alice');
    api.emit('message.upserted', { message: { ...all[3]!, revoked: true } });
    await store.loadOlder('alice');
    expect(store.history('alice').items.map((m) => m.key)).toEqual([all[3]!, ...all.slice(20)].map((m) => m.key));
  });

  it('stops paging when a page brings nothing new', async () => {
    setActivePinia(createPinia());
    const stubborn = createFakeApi({ 'messages.page': () => ({ messages: [message('x', 5)], more: true }) });
    useBackend().attach(stubborn);
    const store = useMessages();
    await store.loadLatest('alice');
    expect(await store.loadOlder('alice')).toBe(0);
    expect(store.history('alice').more).toBe(false);
  });

  it('applies upserted and removed events, and an event for a loaded message updates it in place', async () => {
    const store = useMessages();
    wireEvents();
    await store.loadLatest('alice');
    const newest = message('new', all[99]!.timeMs + 1000);
    api.emit('message.upserted', { message: newest });
    api.emit('message.upserted', { message: newest });
    api.emit('message.upserted', { message: { ...all[99]!, revoked: true } });
    api.emit('message.removed', { conversation: 'alice', key: all[98]!.key });
    const items = store.history('alice').items;
    expect(items).toHaveLength(40);
    expect(items.at(-1)?.key).toBe('new');
    expect(items.find((m) => m.key === all[99]!.key)?.revoked).toBe(true);
    expect(items.some((m) => m.key === all[98]!.key)).toBe(false);
  });

  it('merges a page that overlaps messages already pushed by events', async () => {
    const store = useMessages();
    store.upsert(all[99]!);
    store.upsert(all[98]!);
    await store.loadLatest('alice');
    expect(store.history('alice').items).toHaveLength(40);
  });

  it('keeps a sent message once when both the send result and the event arrive', async () => {
    setActivePinia(createPinia());
    const sent = message('c1', 10, { outgoing: true, state: 'sending', msgId: undefined });
    const sender = createFakeApi({ 'message.send': () => sent, 'messages.page': () => ({ messages: [], more: false }) });
    useBackend().attach(sender);
    const store = useMessages();
    wireEvents();
    await store.loadLatest('alice');
    await store.send('alice', { kind: 'text', text: 'hi' });
    sender.emit('message.upserted', { message: { ...sent, state: 'sent', msgId: 11 } });
    expect(store.history('alice').items.map((m) => [m.key, m.state])).toEqual([['c1', 'sent']]);
  });

  it('cancels a message not yet sent through message.cancel (out of the outbox), not a local delete', async () => {
    setActivePinia(createPinia());
    const sending = message('c2', 10, { outgoing: true, state: 'sending', msgId: undefined });
    const core = createFakeApi({ 'messages.page': () => ({ messages: [sending], more: false }) });
    useBackend().attach(core);
    const store = useMessages();
    await store.loadLatest('alice');
    await store.cancel('alice', 'c2');
    expect(core.callsOf('message.cancel')).toEqual([{ key: 'c2' }]);
    expect(core.callsOf('message.deleteLocal')).toEqual([]);
    expect(store.history('alice').items).toEqual([]);
  });

  it('pages back until a searched message is held', async () => {
    const store = useMessages();
    expect(await store.loadUntil('alice', all[5]!.key)).toBe(true);
    expect(store.history('alice').items.some((m) => m.key === all[5]!.key)).toBe(true);
    expect(await store.loadUntil('alice', 'missing')).toBe(false);
  });
});

describe('paging while a page is already coming', () => {
  it('makes a second caller wait for the same page instead of fetching twice', async () => {
    setActivePinia(createPinia());
    const all = archive(100);
    const api = createFakeApi({ 'messages.page': pager(all) });
    useBackend().attach(api);
    const store = useMessages();
    await store.loadLatest('alice');
    const [a, b] = await Promise.all([store.loadOlder('alice'), store.loadOlder('alice')]);
    expect([a, b]).toEqual([40, 40]);
    expect(api.callsOf('messages.page')).toHaveLength(2);
  });
});

describe('a search jump into a chat whose newest page is still coming', () => {
  it('waits for that page and pages back to the hit, instead of giving up on a load in flight', async () => {
    setActivePinia(createPinia());
    const all = archive(150);
    useBackend().attach(createFakeApi({ 'messages.page': pager(all) }));
    const store = useMessages();
    // the chat opened by the jump asks for its newest page; the jump then looks for the hit
    const opened = store.loadLatest('alice');
    const found = store.loadUntil('alice', all[4]!.key);
    await opened;
    expect(await found).toBe(true);
    expect(store.history('alice').items.some((m) => m.key === all[4]!.key)).toBe(true);
  });
});
