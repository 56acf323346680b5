import { onBeforeUnmount, type Ref } from 'vue';

/**
 * Gives focus back to what had it when a dialog or menu opened, once it closes with the focus still
 * inside it (Esc, a pick, its close button): a keyboard user goes on where they were instead of from
 * the top of the page. Not when closing put the focus elsewhere (a dialog the pick opened).
 */
export function useReturnFocus(box: Ref<HTMLElement | null>): void {
  const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  onBeforeUnmount(() => {
    const now = document.activeElement;
    if (!opener?.isConnected) return;
    if (now && now !== document.body && !box.value?.contains(now)) return;
    opener.focus();
  });
}
