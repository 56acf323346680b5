import { useI18n } from 'vue-i18n';
import { isolateText, showControlCharacters, type ConversationView } from '../../../preload/api';
import { useSession } from '../stores/session';
import { useMemberName } from './member-name';
import { useNoticeText } from './notice-text';

/** The placeholders the core puts for what is not the message's own words (main/store/message-record.ts previewOf). */
const PLACEHOLDER_KEYS: Readonly<Record<string, string>> = {
  '[voice]': 'conversations.preview.voice',
  '[image]': 'conversations.preview.image',
  '[file]': 'conversations.preview.file',
  '[location]': 'conversations.preview.location',
  '[burn]': 'conversations.preview.burn',
  '[burned]': 'conversations.preview.burned',
  '[unavailable]': 'conversations.preview.unavailable',
};

/**
 * A conversation's last-message preview in the UI's language: placeholders translated, a recalled
 * message said by who recalled it ("You revoked a message", "对方撤回了一条消息"), the message's own
 * words as they are; in a group, another member's message after their name ("Carol: hi"), so
 * the list says who spoke. A group whose latest event is a notice shows it in the words
 * of the chat's own system line ("Alice joined the group"). Each name and the words are an
 * isolate (isolateText; drawn by BidiText), so a right-to-left name or an override in a message
 * cannot reorder the sentence around it.
 */
export function usePreviewText(): (conversation: ConversationView) => string {
  const { t } = useI18n();
  const session = useSession();
  const memberName = useMemberName();
  const revokedByOther = useRevokedByOtherText();
  const noticeText = useNoticeText();
  return (c) => {
    if (c.lastNotice) return noticeText(c.lastNotice);
    const preview = c.lastPreview;
    if (preview === '[revoked]') {
      if (c.lastRevokedBy && c.lastFrom) return revokedByOther(c.lastFrom, c.lastRevokedBy, c.kind === 'group' ? c.id : undefined);
      if (c.lastFrom && c.lastFrom === session.session?.userId) return t('conversations.preview.revokedByMe');
      if (c.kind !== 'group' || !c.lastFrom) return t('conversations.preview.revokedByPeer');
      return t('conversations.preview.revokedByMember', { name: isolateText(memberName(c.lastFrom, c.id)) });
    }
    const key = PLACEHOLDER_KEYS[preview];
    // the message's own words, with their control characters visible as in the bubble
    const text = key ? t(key) : isolateText(showControlCharacters(preview));
    const byMember = c.kind === 'group' && !!c.lastFrom && c.lastFrom !== session.session?.userId;
    // "[burned]" says what happened to a message, not what someone wrote
    if (!byMember || !text || preview === '[burned]') return text;
    return t('conversations.preview.fromMember', { name: isolateText(memberName(c.lastFrom!, c.id)), text });
  };
}

/**
 * Whether usePreviewText's line ends in the message's own words (a quote), rather than in a name
 * or fixed words: the chat list gives the words the room a long name before them would take.
 */
export function previewEndsInWords(c: ConversationView): boolean {
  if (c.lastNotice) return false;
  const preview = c.lastPreview;
  return preview !== '' && preview !== '[revoked]' && PLACEHOLDER_KEYS[preview] === undefined;
}

/**
 * A message revoked by a group owner or admin, not its sender: both named (by their alias in the
 * group), as the chat list and the chat itself say it ("Ann revoked a message from Bob", "你撤回了
 * "Bob" 的一条消息").
 */
export function useRevokedByOtherText(): (sender: string, revokedBy: string, group?: string) => string {
  const { t } = useI18n();
  const session = useSession();
  const memberName = useMemberName();
  return (sender, revokedBy, group) => {
    const name = (userId: string) => isolateText(memberName(userId, group));
    const me = session.session?.userId;
    if (sender === me) return t('conversations.preview.revokedMineByAdmin', { admin: name(revokedBy) });
    if (revokedBy === me) return t('conversations.preview.revokedByMeForMember', { name: name(sender) });
    return t('conversations.preview.revokedByAdminForMember', { admin: name(revokedBy), name: name(sender) });
  };
}
