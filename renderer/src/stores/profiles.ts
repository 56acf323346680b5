/**
 * Nicknames of other users, fetched in batches (profiles.get) the first time a name is shown and
 * kept for the session.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ProfileView } from '../../../preload/api';
import { useBackend } from './backend';

export const useProfiles = defineStore('profiles', () => {
  const backend = useBackend();
  const byId = ref<Record<string, ProfileView>>({});
  const requested = new Set<string>();
  let queue: string[] = [];
  let flushing: Promise<void> | null = null;

  function remember(profiles: ProfileView[]): void {
    const next = { ...byId.value };
    for (const p of profiles) next[p.userId] = p;
    byId.value = next;
  }

  async function flush(): Promise<void> {
    await Promise.resolve();
    const ids = queue;
    queue = [];
    flushing = null;
    if (ids.length === 0) return;
    const result = await backend.call('profiles.get', { userIds: ids });
    if (result.ok) remember(result.value);
  }

  /** The name to show for a user: nickname when known, else the id (and a fetch is queued). */
  function name(userId: string): string {
    const known = byId.value[userId];
    if (known) return known.nickname || userId;
    if (userId && !requested.has(userId)) {
      requested.add(userId);
      queue.push(userId);
      flushing ??= flush();
    }
    return userId;
  }

  function reset(): void {
    byId.value = {};
    requested.clear();
    queue = [];
  }

  return { byId, name, remember, reset };
});
