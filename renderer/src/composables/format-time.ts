import { useI18n } from 'vue-i18n';
import { startOfDay } from '../stores/message-list';

const DAY_MS = 86_400_000;

/** Time labels in the current language: clock time today, "Yesterday", weekday, or a date. */
export function useTimeFormat() {
  const { t, locale } = useI18n();

  function clock(timeMs: number): string {
    return new Date(timeMs).toLocaleTimeString(locale.value, { hour: '2-digit', minute: '2-digit' });
  }

  function listTime(timeMs: number, nowMs = Date.now()): string {
    if (!timeMs) return '';
    const today = startOfDay(nowMs);
    if (timeMs >= today) return clock(timeMs);
    if (timeMs >= today - DAY_MS) return t('chat.yesterday');
    if (timeMs >= today - 6 * DAY_MS) return new Date(timeMs).toLocaleDateString(locale.value, { weekday: 'short' });
    return new Date(timeMs).toLocaleDateString(locale.value, { year: '2-digit', month: 'numeric', day: 'numeric' });
  }

  function dayLabel(dayStartMs: number, nowMs = Date.now()): string {
    const today = startOfDay(nowMs);
    if (dayStartMs === today) return t('chat.today');
    if (dayStartMs === startOfDay(today - DAY_MS / 2)) return t('chat.yesterday');
    return new Date(dayStartMs).toLocaleDateString(locale.value, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' });
  }

  function dateTime(timeMs: number): string {
    return new Date(timeMs).toLocaleString(locale.value, { dateStyle: 'medium', timeStyle: 'short' });
  }

  return { clock, listTime, dayLabel, dateTime };
}
