import { onBeforeUnmount, type Ref } from 'vue';

/**
 * The button that opened the menu an element is an item of (`aria-controls` naming the menu's id,
 * as a menu button does), or null. A dialog opened from a menu item outlives the item: the menu
 * closes as the dialog opens, so its focus goes back to where the menu's did.
 */
function menuOpenerOf(item: HTMLElement): HTMLElement | null {
  const menu = item.closest<HTMLElement>('[role="menu"][id]');
  if (!menu) return null;
  return document.querySelector<HTMLElement>(`[aria-controls="${CSS.escape(menu.id)}"]`);
}

/**
 * Gives focus back to what had it when a dialog or menu opened, once it closes with the focus still
 * inside it (Esc, a pick, its close button): a keyboard user goes on where they were instead of from
 * the top of the page. Not when closing put the focus elsewhere (a dialog the pick opened). When
 * that was an item of a menu, the menu's own button has it.
 */
export function useReturnFocus(box: Ref<HTMLElement | null>): void {
  const active = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  const fallback = active ? menuOpenerOf(active) : null;
  onBeforeUnmount(() => {
    const now = document.activeElement;
    // a menu's item goes with its menu: its button, when still there, takes the focus even if the
    // item lingers a tick longer than the dialog it opened
    const opener = fallback?.isConnected ? fallback : active?.isConnected ? active : null;
    if (!opener) return;
    if (now && now !== document.body && !box.value?.contains(now)) return;
    opener.focus();
  });
}
