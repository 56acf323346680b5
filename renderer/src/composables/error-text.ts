import { useI18n } from 'vue-i18n';
import { ApiErrorCode } from '../../../preload/api';

/**
 * SELF_MUTED covers a member's own mute and the group's mute all; the server's message tells them
 * apart (docs/protocol.md), so a member not muted alone is not told "You are muted".
 */
function mutedAll(error: { code: number; message: string }): boolean {
  return error.code === ApiErrorCode.SELF_MUTED && error.message.startsWith('all members of ');
}

/** "Human message (code N)" in the current language; the core's own message when we have no text. */
export function useErrorText(): (error: { code: number; message: string }) => string {
  const { t, te } = useI18n();
  return (error) => {
    const key = mutedAll(error) ? 'errors.e580007All' : `errors.e${error.code}`;
    const message = te(key) ? t(key) : error.message || t('errors.unknown');
    return t('errors.withCode', { message, code: error.code });
  };
}
