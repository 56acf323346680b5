import { useMedia } from '../stores/media';
import { isHandoverKey } from '../stores/message-list';
import { useMessages } from '../stores/messages';

/**
 * Retry, cancel and delete of one of my messages, whether the core has it or its file's bubble is
 * still the page's own, before the bytes were handed over (stores/media.ts): then retry hands the
 * file over again, and cancel or delete removes the bubble (and the message the core makes of
 * bytes still crossing).
 */
export function useOwnSendActions(): {
  retry(key: string): Promise<void>;
  cancel(conversation: string, key: string): Promise<void>;
  deleteLocal(conversation: string, key: string): Promise<void>;
} {
  const messages = useMessages();
  const media = useMedia();
  return {
    retry: (key) => (isHandoverKey(key) ? media.retryHandover(key) : messages.retry(key)),
    cancel: async (conversation, key) => {
      if (isHandoverKey(key)) media.dropHandover(key);
      else await messages.cancel(conversation, key);
    },
    deleteLocal: async (conversation, key) => {
      if (isHandoverKey(key)) media.dropHandover(key);
      else await messages.deleteLocal(conversation, key);
    },
  };
}
