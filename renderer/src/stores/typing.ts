/** Who is typing where, from the core's transient typing events; an entry fades after a while. */
import { defineStore } from 'pinia';
import { ref } from 'vue';

/** A peer that stops sending typing signals is taken to have stopped after this long. */
export const TYPING_TTL_MS = 6000;

export const useTyping = defineStore('typing', () => {
  const byConversation = ref<Record<string, string[]>>({});
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  function set(conversation: string, users: string[]): void {
    byConversation.value = { ...byConversation.value, [conversation]: users };
  }

  function stop(conversation: string, from: string): void {
    const id = `${conversation}\u0000${from}`;
    const timer = timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(id);
    set(conversation, (byConversation.value[conversation] ?? []).filter((u) => u !== from));
  }

  function onTyping(event: { conversation: string; from: string; stopped: boolean }): void {
    if (event.stopped) {
      stop(event.conversation, event.from);
      return;
    }
    const id = `${event.conversation}\u0000${event.from}`;
    const previous = timers.get(id);
    if (previous !== undefined) clearTimeout(previous);
    timers.set(id, setTimeout(() => stop(event.conversation, event.from), TYPING_TTL_MS));
    const users = byConversation.value[event.conversation] ?? [];
    if (!users.includes(event.from)) set(event.conversation, [...users, event.from]);
  }

  function typingIn(conversation: string): string[] {
    return byConversation.value[conversation] ?? [];
  }

  function reset(): void {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    byConversation.value = {};
  }

  return { byConversation, onTyping, typingIn, stop, reset };
});
