import { useI18n } from 'vue-i18n';
import type { ConversationView } from '../../../preload/api';
import { useProfiles } from '../stores/profiles';
import { useSession } from '../stores/session';

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
 * words as they are; in a group, another member's message after their name ("Carol: hi"), as in
 * WeChat, so the list says who spoke.
 */
export function usePreviewText(): (conversation: ConversationView) => string {
  const { t } = useI18n();
  const session = useSession();
  const profiles = useProfiles();
  return (c) => {
    const preview = c.lastPreview;
    if (preview === '[revoked]') {
      if (c.lastFrom && c.lastFrom === session.session?.userId) return t('conversations.preview.revokedByMe');
      if (c.kind !== 'group' || !c.lastFrom) return t('conversations.preview.revokedByPeer');
      return t('conversations.preview.revokedByMember', { name: profiles.name(c.lastFrom) });
    }
    const key = PLACEHOLDER_KEYS[preview];
    const text = key ? t(key) : preview;
    const byMember = c.kind === 'group' && !!c.lastFrom && c.lastFrom !== session.session?.userId;
    // "[burned]" says what happened to a message, not what someone wrote
    if (!byMember || !text || preview === '[burned]') return text;
    return t('conversations.preview.fromMember', { name: profiles.name(c.lastFrom!), text });
  };
}
