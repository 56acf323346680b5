import { isGroupId } from '../../protocol';
import type { Settings } from '../../preload/api';
import { notificationFor, type AttentionState, type Notifier } from '../notifications/notification-policy';
import { previewOf, type StoredMessage } from '../store';
import type { Session } from './session';

/** Notifications raised for one synced batch at most: a catch-up after a night offline is not a storm. */
const MAX_NOTIFICATIONS_PER_BATCH = 3;

export interface NotifyDeps {
  readonly notifier?: Notifier;
  readonly settings: () => Settings;
  readonly attention: () => AttentionState;
  /** The system's language (navigator or OS locale), for 'system' in settings. */
  readonly systemLanguage?: string;
  /** A notification was clicked. */
  readonly open: (conversation: string) => void;
}

/** Raises the desktop notifications a synced batch deserves, as the policy decides. */
export function createSessionNotifications(deps: NotifyDeps): (session: Session, messages: readonly StoredMessage[]) => void {
  const language = (): 'en' | 'zh-CN' => {
    const settings = deps.settings();
    const chosen = settings.language === 'system' ? deps.systemLanguage ?? 'en' : settings.language;
    return chosen.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  };
  return (session, messages) => {
    const notifier = deps.notifier;
    if (!notifier) return;
    const lang = language();
    let raised = 0;
    for (const message of messages) {
      if (raised >= MAX_NOTIFICATIONS_PER_BATCH) break;
      const conversation = session.client.store.conversations.get(message.conversation);
      const group = isGroupId(message.conversation) ? session.client.store.groups.getGroup(message.conversation) : undefined;
      const request = notificationFor(
        {
          outgoing: message.outgoing,
          conversation: message.conversation,
          senderName: session.conversationTitle(message.from),
          conversationTitle: session.conversationTitle(message.conversation),
          isGroup: isGroupId(message.conversation),
          // this message's own text: the conversation's last preview is the batch's last message
          preview: previewOf(message),
          mentionsMe: message.mentionsMe,
          burnAfterReading: message.burnAfterReading,
        },
        { settings: deps.settings(), muted: (conversation?.muted ?? false) || (group?.dnd ?? false), attention: deps.attention(), language: lang },
      );
      if (!request) continue;
      raised++;
      notifier.notify(request, () => deps.open(message.conversation));
    }
  };
}
