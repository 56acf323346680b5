import { useI18n } from 'vue-i18n';
import type { NoticeView } from '../../../preload/api';
import { useProfiles } from '../stores/profiles';
import { useSession } from '../stores/session';

/** The centred system line for a group notice, in the current language. */
export function useNoticeText(): (notice: NoticeView) => string {
  const { t, locale } = useI18n();
  const profiles = useProfiles();
  const session = useSession();
  const name = (userId: string) => (userId === session.session?.userId ? t('chat.you') : profiles.name(userId));
  return (notice) => {
    const actor = name(notice.actor);
    const targets = notice.targets.map(name).join(locale.value === 'zh-CN' ? '、' : ', ');
    const role = notice.role ? t(`groups.role.${notice.role}`) : '';
    const kind = notice.kind === 'mute' && !notice.muteUntilMs ? 'unmute' : notice.kind;
    return t(`notice.${kind}`, { actor, targets, role });
  };
}
