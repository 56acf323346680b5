/** Short messages at the bottom of the window: errors with their code, and confirmations. */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  /** An error code to translate (errors.e<code>), or 0 for plain text. */
  code: number;
  message: string;
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

  function dismiss(id: number): void {
    items.value = items.value.filter((t) => t.id !== id);
  }

  return { items, push, error, info, dismiss };
});
