/** Short messages at the bottom of the window: errors with their code, and confirmations. */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  /** An error code to translate (errors.e<code>), or 0 for plain text. */
  code: number;
  message: string;
  /** Words to translate (an i18n key and its values), for news the stores have no words for; on an error, said in place of its code's words. */
  words?: { key: string; values: Record<string, string> };
}

const TOAST_LIMIT = 4;

export const useToasts = defineStore('toasts', () => {
  const items = ref<Toast[]>([]);
  let nextId = 1;

  function push(toast: Omit<Toast, 'id'>): number {
    const id = nextId++;
    items.value = [...items.value, { ...toast, id }].slice(-TOAST_LIMIT);
    return id;
  }

  function error(error: { code: number; message: string }): number {
    return push({ kind: 'error', code: error.code, message: error.message });
  }

  function info(message: string): number {
    return push({ kind: 'info', code: 0, message });
  }

  /** News in the page's language: ToastList translates key with values. */
  function say(key: string, values: Record<string, string> = {}): number {
    return push({ kind: 'info', code: 0, message: key, words: { key, values } });
  }

  function dismiss(id: number): void {
    items.value = items.value.filter((t) => t.id !== id);
  }

  return { items, push, error, info, say, dismiss };
});
