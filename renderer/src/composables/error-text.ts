import { useI18n } from 'vue-i18n';
import { ApiErrorCode } from '../../../preload/api';

/**
 * A server before GROUP_MUTED_ALL (and a message failed under one, kept in the outbox) refused mute
 * all with SELF_MUTED, told apart only by its message: such a member was not muted alone either.
 */
function mutedAllBefore580012(error: { code: number; message: string }): boolean {
  return error.code === ApiErrorCode.SELF_MUTED && error.message.startsWith('all members of ');
}

/** "Human message (code N)" in the current language; the core's own message when we have no text. */
export function useErrorText(): (error: { code: number; message: string }) => string {
  const { t, te } = useI18n();
  return (error) => {
    const key = mutedAllBefore580012(error) ? 'errors.e580012' : `errors.e${error.code}`;
    const message = te(key) ? t(key) : error.message || t('errors.unknown');
    return t('errors.withCode', { message, code: error.code });
  };
}
