/** The global message search (Ctrl/Cmd+K): query, hits, and the jump to a hit. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SearchHit } from '../../../preload/api';
import { useBackend } from './backend';
import { useConversations } from './conversations';
import { useMessages } from './messages';

export const useSearch = defineStore('search', () => {
  const backend = useBackend();
  const open = ref(false);
  const query = ref('');
  const hits = ref<SearchHit[]>([]);
  const searching = ref(false);
  let latest = 0;

  async function run(text: string): Promise<void> {
    query.value = text;
    const ticket = ++latest;
    if (!text.trim()) {
      hits.value = [];
      return;
    }
    searching.value = true;
    const result = await backend.run('search.messages', { query: text.trim(), limit: 50 });
    // an answer to an older query must not replace the newer one's
    if (ticket !== latest) return;
    searching.value = false;
    hits.value = result ?? [];
  }

  async function jump(hit: SearchHit): Promise<void> {
    open.value = false;
    const messages = useMessages();
    messages.highlight = { conversation: hit.conversation, key: hit.key };
    await useConversations().open(hit.conversation);
    await messages.loadUntil(hit.conversation, hit.key);
  }

  return { open, query, hits, searching, run, jump };
});
