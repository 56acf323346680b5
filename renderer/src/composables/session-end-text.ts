import { useI18n } from 'vue-i18n';
import { ApiErrorCode } from '../../../preload/api';

/** The server's code for "the same user signed in on another device of this kind" (protocol/errors.ts). */
export const KICKED_OFF_CODE = ApiErrorCode.KICKED_OFF;

/**
 * Why a session ended, in the current language. The server's reason is English for operators
 * (and may name a device id), so the page says it from the code instead; this app always signs in
 * as a desktop device, so a kick means another desktop sign-in.
 */
export function useSessionEndText(): (info: { reason?: string; code?: number }) => string {
  const { t, te } = useI18n();
  return (info) => {
    if (info.code === KICKED_OFF_CODE) return t('sessionEnd.elsewhere', { device: t('sessionEnd.devices.desktop') });
    if (info.code !== undefined) {
      const key = `errors.e${info.code}`;
      return t('sessionEnd.withCode', { message: te(key) ? t(key) : t('sessionEnd.byServer'), code: info.code });
    }
    if (info.reason === 'signed out') return t('sessionEnd.signedOutElsewhere');
    return t('sessionEnd.byServer');
  };
}
