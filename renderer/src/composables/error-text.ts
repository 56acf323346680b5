import { useI18n } from 'vue-i18n';
import { ApiErrorCode } from '../../../preload/api';
import { useTimeFormat } from './format-time';

/**
 * A server before GROUP_MUTED_ALL (and a message failed under one, kept in the outbox) refused mute
 * all with SELF_MUTED, told apart only by its message: such a member was not muted alone either.
 */
function mutedAllBefore580012(error: { code: number; message: string }): boolean {
  return error.code === ApiErrorCode.SELF_MUTED && error.message.startsWith('all members of ');
}

/**
 * An upload refused for its user's limits: which limit, and when it fits again, as the server's
 * message says them ("… unfinished …", "… fits again at 2026-11-29T07:00:00Z").
 */
function uploadQuota(error: { code: number; message: string }): { key: string; timeMs: number | undefined } | undefined {
  if (error.code !== ApiErrorCode.UPLOAD_QUOTA_EXCEEDED) return undefined;
  const at = /fits again at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)/.exec(error.message)?.[1];
  const timeMs = at === undefined ? undefined : Date.parse(at);
  if (timeMs === undefined || Number.isNaN(timeMs)) return { key: 'errors.e581008', timeMs: undefined };
  return { key: error.message.includes('unfinished') ? 'errors.e581008Unfinished' : 'errors.e581008Bytes', timeMs };
}

/** "Human message (code N)" in the current language; the core's own message when we have no text. */
export function useErrorText(): (error: { code: number; message: string }) => string {
  const { t, te } = useI18n();
  const { dateTime } = useTimeFormat();
  return (error) => {
    const quota = uploadQuota(error);
    if (quota !== undefined) {
      const message = quota.timeMs === undefined ? t(quota.key) : t(quota.key, { time: dateTime(quota.timeMs) });
      return t('errors.withCode', { message, code: error.code });
    }
    const key = mutedAllBefore580012(error) ? 'errors.e580012' : `errors.e${error.code}`;
    const message = te(key) ? t(key) : error.message || t('errors.unknown');
    return t('errors.withCode', { message, code: error.code });
  };
}
