import { showBidiControls, showControlCharacters } from '../../protocol';
import type { Settings } from '../../preload/api';

export interface NotificationRequest {
  readonly title: string;
  readonly body: string;
  readonly conversation: string;
}

/** The shell's notifier (node-notifier on the desktop); a click opens the conversation. */
export interface Notifier {
  notify(request: NotificationRequest, onClick: () => void): void;
}

export interface IncomingForNotice {
  readonly outgoing: boolean;
  readonly conversation: string;
  readonly senderName: string;
  readonly conversationTitle: string;
  readonly isGroup: boolean;
  readonly preview: string;
  readonly mentionsMe: boolean;
  /** A burn-after-reading message never shows its text outside the chat. */
  readonly burnAfterReading?: boolean;
}

export interface AttentionState {
  readonly focused: boolean;
  readonly activeConversation?: string;
}

const NEW_MESSAGE: Record<'en' | 'zh-CN', string> = { en: 'New message', 'zh-CN': '新消息' };
const BURN_MESSAGE: Record<'en' | 'zh-CN', string> = { en: 'Burn-after-reading message', 'zh-CN': '阅后即焚消息' };
const PLACEHOLDERS: Record<'en' | 'zh-CN', Record<string, string>> = {
  en: { '[voice]': '[Voice message]', '[image]': '[Image]', '[file]': '[File]', '[location]': '[Location]' },
  'zh-CN': { '[voice]': '[语音]', '[image]': '[图片]', '[file]': '[文件]', '[location]': '[位置]' },
};
const MENTIONED: Record<'en' | 'zh-CN', string> = { en: '[mentioned you] ', 'zh-CN': '[有人@我] ' };
/** Between a group member's name and the words: Chinese text takes the full-width colon, no space. */
const AFTER_SENDER: Record<'en' | 'zh-CN', string> = { en: ': ', 'zh-CN': '：' };

/**
 * Whether a message raises a desktop notification, and what it says. Notify when the window is
 * not focused, the conversation is not muted (a mention still gets through, as in common
 * messengers), and the message is not one's own; the preview setting decides how much it shows.
 */
export function notificationFor(
  message: IncomingForNotice,
  context: { settings: Pick<Settings, 'notifications' | 'preview'>; muted: boolean; attention: AttentionState; language: 'en' | 'zh-CN' },
): NotificationRequest | undefined {
  const { settings, attention, language } = context;
  if (!settings.notifications || message.outgoing || attention.focused) return undefined;
  if (context.muted && !message.mentionsMe) return undefined;
  const mention = message.mentionsMe ? MENTIONED[language] : '';
  // the words as the chat shows them: a control character by name (<ESC>), never sent raw to the OS;
  // a direction override or isolate by name too (<RLO>): the OS draws the line, and a name reorders
  // nothing on any notifier, where an isolate around the words is honoured by some and not others
  const text = message.burnAfterReading ? BURN_MESSAGE[language] : PLACEHOLDERS[language][message.preview] ?? showBidiControls(showControlCharacters(message.preview));
  const title = showBidiControls(message.conversationTitle);
  switch (settings.preview) {
    case 'full':
      return {
        title,
        body: `${mention}${message.isGroup ? `${showBidiControls(message.senderName)}${AFTER_SENDER[language]}` : ''}${text || NEW_MESSAGE[language]}`,
        conversation: message.conversation,
      };
    case 'sender':
      return { title, body: `${mention}${NEW_MESSAGE[language]}`, conversation: message.conversation };
    case 'none':
      return { title: 'Magpie', body: NEW_MESSAGE[language], conversation: message.conversation };
    default: {
      const unreachable: never = settings.preview;
      return unreachable;
    }
  }
}
