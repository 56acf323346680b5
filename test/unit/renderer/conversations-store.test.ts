import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { compareConversations, filterConversations, orderConversations, totalUnread } from '../../../renderer/src/stores/conversation-order';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { wireEvents } from '../../../renderer/src/stores/event-wiring';
import { conversation, createFakeApi, type FakeApi } from './fake-api';

describe('conversation ordering', () => {
  it('puts pinned conversations first, then the most recent', () => {
    const list = [
      conversation('old', { lastTimeMs: 100 }),
      conversation('new', { lastTimeMs: 300 }),
      conversation('pinned-old', { lastTimeMs: 50, pinned: true }),
      conversation('mid', { lastTimeMs: 200 }),
      conversation('pinned-new', { lastTimeMs: 250, pinned: true }),
    ];
    expect(orderConversations(list).map((c) => c.id)).toEqual(['pinned-new', 'pinned-old', 'new', 'mid', 'old']);
  });

  it('keeps a stable order for the same time', () => {
    expect(compareConversations(conversation('a', { lastTimeMs: 1 }), conversation('b', { lastTimeMs: 1 }))).toBeLessThan(0);
  });

  it('filters by title, id, preview or draft, ignoring case', () => {
    const list = [
      conversation('alice', { title: 'Alice Wang' }),
      conversation('bob', { lastPreview: 'see you at LUNCH' }),
      conversation('carol', { draft: 'half-written lunch plan' }),
      conversation('g1', { title: '项目组' }),
    ];
    const asStored = (c: { lastPreview: string }) => c.lastPreview;
    expect(filterConversations(list, 'wang', asStored).map((c) => c.id)).toEqual(['alice']);
    expect(filterConversations(list, 'lunch', asStored).map((c) => c.id)).toEqual(['bob', 'carol']);
    expect(filterConversations(list, '项目', asStored).map((c) => c.id)).toEqual(['g1']);
    expect(filterConversations(list, '  ', asStored)).toHaveLength(4);
  });

  it('does not count muted conversations in the total unread', () => {
    expect(totalUnread([conversation('a', { unread: 3 }), conversation('b', { unread: 5, muted: true })])).toBe(3);
  });
});

describe('the conversations store', () => {
  let api: FakeApi;

  beforeEach(() => {
    setActivePinia(createPinia());
    api = createFakeApi({
      'conversations.list': () => [
        conversation('alice', { unread: 2, lastTimeMs: 10 }),
        conversation('bob', { lastTimeMs: 20, draft: 'unsent' }),
      ],
    });
    useBackend().attach(api);
  });

  it('marks an opened conversation read while its chat pane is on screen', async () => {
    const store = useConversations();
    await store.setPaneShowing(true);
    await store.load();
    await store.open('alice');
    expect(store.byId.alice?.unread).toBe(0);
    expect(api.callsOf('conversation.markRead')).toEqual([{ conversation: 'alice' }]);
    expect(api.callsOf('ui.state').at(-1)).toEqual({ focused: true, activeConversation: 'alice' });
  });

  it('waits for the page to be visible before marking read, and marks read when it shows', async () => {
    const store = useConversations();
    await store.setPaneShowing(true);
    await store.load();
    await store.setPageVisible(false);
    await store.open('alice');
    expect(store.byId.alice?.unread).toBe(2);
    expect(api.callsOf('conversation.markRead')).toEqual([]);
    await store.setPageVisible(true);
    expect(store.byId.alice?.unread).toBe(0);
    expect(api.callsOf('conversation.markRead')).toEqual([{ conversation: 'alice' }]);
  });

  it('does not mark read while another screen (Settings) covers the chat pane', async () => {
    const store = useConversations();
    wireEvents();
    await store.setPaneShowing(true);
    await store.load();
    await store.open('bob');
    await store.setPaneShowing(false);
    api.emit('conversation.updated', { conversation: conversation('bob', { unread: 1, lastTimeMs: 30 }) });
    await Promise.resolve();
    expect(store.byId.bob?.unread).toBe(1);
    expect(api.callsOf('conversation.markRead')).toEqual([]);
    await store.setPaneShowing(true);
    expect(api.callsOf('conversation.markRead')).toEqual([{ conversation: 'bob' }]);
  });

  it('marks read a message arriving in the open conversation', async () => {
    const store = useConversations();
    wireEvents();
    await store.setPaneShowing(true);
    await store.load();
    await store.open('bob');
    api.emit('conversation.updated', { conversation: conversation('bob', { unread: 1, lastTimeMs: 30, lastPreview: 'hi' }) });
    await Promise.resolve();
    expect(store.byId.bob?.unread).toBe(0);
    expect(store.byId.bob?.lastPreview).toBe('hi');
    expect(api.callsOf('conversation.markRead')).toEqual([{ conversation: 'bob' }]);
  });

  it('counts unread of a background conversation and moves it to the top', async () => {
    const store = useConversations();
    wireEvents();
    await store.load();
    await store.open('bob');
    api.emit('conversation.updated', { conversation: conversation('alice', { unread: 3, lastTimeMs: 40 }) });
    expect(store.ordered.map((c) => c.id)).toEqual(['alice', 'bob']);
    expect(store.unreadTotal).toBe(3);
  });

  it('saves a draft once, and keeps the draft being typed over what the core echoes', async () => {
    const store = useConversations();
    await store.load();
    await store.open('alice');
    await store.saveDraft('alice', 'hello');
    await store.saveDraft('alice', 'hello');
    expect(api.callsOf('conversation.setDraft')).toEqual([{ conversation: 'alice', draft: 'hello' }]);
    store.upsert(conversation('alice', { draft: 'hel', lastTimeMs: 50 }));
    expect(store.byId.alice?.draft).toBe('hello');
    store.upsert(conversation('bob', { draft: 'core draft' }));
    expect(store.byId.bob?.draft).toBe('core draft');
  });

  it('opens a chat with a user the list does not hold yet', async () => {
    const store = useConversations();
    await store.load();
    await store.open('dave');
    expect(store.active?.id).toBe('dave');
    expect(store.active?.kind).toBe('user');
    await store.load();
    expect(store.byId.dave).toBeDefined();
  });

  it('drops a removed conversation and closes it', async () => {
    const store = useConversations();
    wireEvents();
    await store.load();
    await store.open('alice');
    api.emit('conversation.removed', { conversation: 'alice' });
    expect(store.byId.alice).toBeUndefined();
    expect(store.activeId).toBeNull();
  });
});
