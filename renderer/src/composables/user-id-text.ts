import { useI18n } from 'vue-i18n';
import { firstBadUserId } from '../identity/user-id';

/** Names the first id of a list that breaks the id rules and why, in the current language; null when all pass. */
export function useUserIdCheck(): (ids: readonly string[]) => string | null {
  const { t } = useI18n();
  return (ids) => {
    if (ids.length === 0) return t('ids.empty');
    const bad = firstBadUserId(ids);
    return bad ? t(`ids.${bad.problem}`, { id: bad.id }) : null;
  };
}
