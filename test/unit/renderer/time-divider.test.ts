// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import TimeDivider from '../../../renderer/src/components/chat/TimeDivider.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';

function label(timeMs: number, locale: Locale): string {
  const wrapper = mount(TimeDivider, { props: { timeMs }, global: { plugins: [createMagpieI18n(locale)] } });
  const text = wrapper.get('time').text();
  wrapper.unmount();
  return text;
}

describe('the time between messages', () => {
  it('reads HH:mm today, "Yesterday HH:mm", a weekday this week, else the date', () => {
    vi.useFakeTimers({ now: new Date(2026, 10, 29, 15, 30), toFake: ['Date'] });
    try {
      expect(label(new Date(2026, 10, 29, 9, 5).getTime(), 'en')).toBe('09:05');
      expect(label(new Date(2026, 10, 28, 21, 40).getTime(), 'en')).toBe('Yesterday 21:40');
      expect(label(new Date(2026, 10, 28, 21, 40).getTime(), 'zh-CN')).toBe('昨天 21:40');
      expect(label(new Date(2026, 10, 25, 8, 0).getTime(), 'en')).toBe('Wednesday 08:00');
      expect(label(new Date(2026, 9, 3, 8, 0).getTime(), 'en')).toBe('October 3 08:00');
      expect(label(new Date(2025, 9, 3, 8, 0).getTime(), 'en')).toBe('October 3, 2025 08:00');
    } finally {
      vi.useRealTimers();
    }
  });
});
