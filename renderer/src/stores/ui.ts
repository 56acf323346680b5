/** Which screen of the main layout shows, the side panels that are open, and the confirm dialog. */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';

/**
 * Below this width the list and the chat do not both fit (a browser tab has no minimum; the
 * Electron window's is 720 px), so one shows at a time, as on a phone.
 */
export const NARROW_WINDOW_PX = 640;

export type MainView = 'chats' | 'groups' | 'settings';

interface ConfirmRequest {
  text: string;
  /** What is confirmed ("Dismiss group"): the dialog's title and its yes button, never a bare "Confirm". */
  action: string;
  danger: boolean;
  answer: (yes: boolean) => void;
}

export const useUi = defineStore('ui', () => {
  const view = ref<MainView>('chats');
  const groupInfoOpen = ref(false);
  const confirmRequest = shallowRef<ConfirmRequest | null>(null);
  /** The web shell's link to the app process: false once the page's socket to it dropped. */
  const appLinkUp = ref(true);
  /** The window is narrower than NARROW_WINDOW_PX: the chats screen shows the list or the open chat, not both. */
  const narrow = ref(false);
  /**
   * A chat was just started on purpose (New chat): its composer takes the focus once it shows, so
   * the first message is typed at once, not after a click. The composer clears it.
   */
  const focusComposer = ref(false);

  /** Asks a yes/no question in the app's own dialog (window.confirm does not fit the app's look). */
  function confirm(text: string, action: string, danger = true): Promise<boolean> {
    confirmRequest.value?.answer(false);
    return new Promise((resolve) => {
      confirmRequest.value = {
        text,
        action,
        danger,
        answer: (yes) => {
          confirmRequest.value = null;
          resolve(yes);
        },
      };
    });
  }

  return { view, groupInfoOpen, confirmRequest, confirm, appLinkUp, narrow, focusComposer };
});
