/**
 * The conversation list and which conversation is open. Marks the open conversation read only
 * while the user can see it: the page visible and the chat pane showing it (not Settings, not a
 * hidden window). Tells the core (ui.state) about focus so it can decide on notifications.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ConversationView } from '../../../preload/api';
import { useBackend } from './backend';
import { orderConversations, placeholderConversation, totalUnread } from './conversation-order';

export const useConversations = defineStore('conversations', () => {
  const backend = useBackend();
  const byId = ref<Record<string, ConversationView>>({});
  const activeId = ref<string | null>(null);
  const focused = ref(true);
  /** The page is visible (document.visibilityState), so an open chat pane is on screen. */
  const pageVisible = ref(true);
  /** The chat pane is mounted (the Chats screen shows), so the active conversation is on screen. */
  const paneShowing = ref(false);
  const filter = ref('');
  /**
   * What was unread in the open chat when it came into sight: the chat draws its "N new messages"
   * line above the first of them, for as long as it stays open (opening another chat ends it).
   */
  const unreadMarker = ref<{ conversation: string; count: number } | null>(null);
  const loaded = ref(false);

  const ordered = computed(() => orderConversations(Object.values(byId.value)));
  const unreadTotal = computed(() => totalUnread(Object.values(byId.value)));
  const active = computed(() => (activeId.value ? byId.value[activeId.value] ?? null : null));

  async function load(): Promise<void> {
    const list = await backend.run('conversations.list', {});
    if (!list) return;
    const next: Record<string, ConversationView> = {};
    for (const c of list) next[c.id] = c;
    // a conversation opened before it had any message stays in the list
    if (activeId.value && !next[activeId.value] && byId.value[activeId.value]) {
      next[activeId.value] = byId.value[activeId.value]!;
    }
    byId.value = next;
    loaded.value = true;
    await markActiveReadIfSeen(true);
  }

  function upsert(conversation: ConversationView): void {
    const previous = byId.value[conversation.id];
    // the draft being typed here is newer than what the core echoes back
    const draft = previous && conversation.id === activeId.value ? previous.draft : conversation.draft;
    byId.value = { ...byId.value, [conversation.id]: { ...conversation, draft } };
    if (conversation.id === activeId.value && conversation.unread > 0) void markActiveReadIfSeen();
  }

  function remove(id: string): void {
    if (!byId.value[id]) return;
    const next = { ...byId.value };
    delete next[id];
    byId.value = next;
    if (activeId.value === id) {
      activeId.value = null;
      unreadMarker.value = null;
    }
  }

  async function reportUiState(): Promise<void> {
    await backend.call('ui.state', { focused: focused.value, activeConversation: activeId.value ?? undefined });
  }

  /**
   * Marks the open conversation read once it is in sight. `arriving`: it came into sight just now
   * (opened, the page or the pane shown again), so what it held unread is kept for its marker; a
   * message read as it comes in, in sight, is no news to mark.
   */
  async function markActiveReadIfSeen(arriving = false): Promise<void> {
    const c = active.value;
    if (!c || !pageVisible.value || !paneShowing.value || (c.unread === 0 && !c.mentioned)) return;
    if (arriving && c.unread > 0 && unreadMarker.value?.conversation !== c.id) unreadMarker.value = { conversation: c.id, count: c.unread };
    byId.value = { ...byId.value, [c.id]: { ...c, unread: 0, mentioned: false } };
    await backend.run('conversation.markRead', { conversation: c.id });
  }

  async function open(id: string, title?: string): Promise<void> {
    if (!byId.value[id]) byId.value = { ...byId.value, [id]: placeholderConversation(id, title) };
    if (activeId.value !== id) unreadMarker.value = null;
    activeId.value = id;
    await Promise.all([reportUiState(), markActiveReadIfSeen(true)]);
  }

  async function close(): Promise<void> {
    activeId.value = null;
    unreadMarker.value = null;
    await reportUiState();
  }

  async function setFocused(value: boolean): Promise<void> {
    if (focused.value === value) return;
    focused.value = value;
    await Promise.all([reportUiState(), markActiveReadIfSeen()]);
  }

  async function setPageVisible(value: boolean): Promise<void> {
    if (pageVisible.value === value) return;
    pageVisible.value = value;
    await markActiveReadIfSeen(true);
  }

  async function setPaneShowing(value: boolean): Promise<void> {
    if (paneShowing.value === value) return;
    paneShowing.value = value;
    await markActiveReadIfSeen(true);
  }

  /** Keeps the draft locally at once and in the core when it changed. */
  async function saveDraft(id: string, draft: string): Promise<void> {
    const c = byId.value[id];
    if (!c || c.draft === draft) return;
    byId.value = { ...byId.value, [id]: { ...c, draft } };
    await backend.run('conversation.setDraft', { conversation: id, draft });
  }

  async function setPinned(id: string, pinned: boolean): Promise<void> {
    const c = byId.value[id];
    if (c) byId.value = { ...byId.value, [id]: { ...c, pinned } };
    await backend.run('conversation.setPinned', { conversation: id, pinned });
  }

  async function removeChat(id: string): Promise<void> {
    remove(id);
    await backend.run('conversation.remove', { conversation: id });
  }

  async function setMuted(id: string, muted: boolean): Promise<void> {
    const c = byId.value[id];
    if (c) byId.value = { ...byId.value, [id]: { ...c, muted } };
    await backend.run('conversation.setMuted', { conversation: id, muted });
  }

  function reset(): void {
    byId.value = {};
    activeId.value = null;
    unreadMarker.value = null;
    filter.value = '';
    loaded.value = false;
  }

  return {
    byId, activeId, unreadMarker, focused, pageVisible, paneShowing, setPageVisible, setPaneShowing, filter, loaded, ordered, unreadTotal, active,
    load, upsert, remove, open, close, setFocused, saveDraft, setPinned, setMuted, removeChat, reset, reportUiState,
  };
});
