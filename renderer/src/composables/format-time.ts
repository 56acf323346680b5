import { useI18n } from 'vue-i18n';
import { startOfDay } from '../stores/message-list';

const DAY_MS = 86_400_000;

/** Time labels in the current language: clock time today, "Yesterday", weekday, or a date. */
export function useTimeFormat() {
  const { t, locale } = useI18n();

  function clock(timeMs: number): string {
    return new Date(timeMs).toLocaleTimeString(locale.value, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  function listTime(timeMs: number, nowMs = Date.now()): string {
    if (!timeMs) return '';
    const today = startOfDay(nowMs);
    if (timeMs >= today) return clock(timeMs);
    if (timeMs >= today - DAY_MS) return t('chat.yesterday');
    if (timeMs >= today - 6 * DAY_MS) return new Date(timeMs).toLocaleDateString(locale.value, { weekday: 'short' });
    return new Date(timeMs).toLocaleDateString(locale.value, { year: '2-digit', month: 'numeric', day: 'numeric' });
  }

  /** The centred time between messages: "14:05" today, "Yesterday 14:05", weekday this week, else the date. */
  function dividerTime(timeMs: number, nowMs = Date.now()): string {
    const today = startOfDay(nowMs);
    const time = clock(timeMs);
    if (timeMs >= today) return time;
    if (timeMs >= startOfDay(today - DAY_MS / 2)) return t('times.yesterdayAt', { time });
    if (timeMs >= startOfDay(today - 6 * DAY_MS + DAY_MS / 2)) {
      return `${new Date(timeMs).toLocaleDateString(locale.value, { weekday: 'long' })} ${time}`;
    }
    const sameYear = new Date(timeMs).getFullYear() === new Date(nowMs).getFullYear();
    const date = new Date(timeMs).toLocaleDateString(locale.value, { year: sameYear ? undefined : 'numeric', month: 'long', day: 'numeric' });
    return `${date} ${time}`;
  }

  function dateTime(timeMs: number): string {
    return new Date(timeMs).toLocaleString(locale.value, { dateStyle: 'medium', timeStyle: 'short' });
  }

  return { clock, listTime, dividerTime, dateTime };
}
