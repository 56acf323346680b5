import { useI18n } from 'vue-i18n';
import { ApiErrorCode } from '../../../preload/api';
import { useTimeFormat } from './format-time';

/**
 * SELF_MUTED covers a member's own mute and the group's mute all; the server's message tells them
 * apart (docs/protocol.md), so a member not muted alone is not told "You are muted".
 */
function mutedAll(error: { code: number; message: string }): boolean {
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
    const key = mutedAll(error) ? 'errors.e580007All' : `errors.e${error.code}`;
    const message = te(key) ? t(key) : error.message || t('errors.unknown');
    return t('errors.withCode', { message, code: error.code });
  };
}
