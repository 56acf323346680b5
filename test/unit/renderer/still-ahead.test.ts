// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, nextTick, ref } from 'vue';
import type { MemberView } from '../../../preload/api';
import MemberRow from '../../../renderer/src/components/groups/MemberRow.vue';
import { useStillAhead } from '../../../renderer/src/composables/still-ahead';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useSession } from '../../../renderer/src/stores/session';

const START = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('a moment still ahead (a mute running)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(() => vi.useRealTimers());

  it('turns false by itself when the moment passes, and follows a new moment', async () => {
    const until = ref(START + 60_000);
    let ahead: { value: boolean } = { value: false };
    const wrapper = mount(defineComponent({
      setup() {
        ahead = useStillAhead(() => until.value);
        return () => h('p', String(ahead.value));
      },
    }));
    expect(wrapper.text()).toBe('true');
    await vi.advanceTimersByTimeAsync(59_000);
    expect(wrapper.text()).toBe('true');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(wrapper.text()).toBe('false');
    // muted again, for 30 days: longer than one timer can wait
    until.value = Date.now() + 30 * 24 * 3600_000;
    await nextTick();
    expect(wrapper.text()).toBe('true');
    await vi.advanceTimersByTimeAsync(30 * 24 * 3600_000 - 1);
    expect(wrapper.text()).toBe('true');
    await vi.advanceTimersByTimeAsync(1);
    expect(wrapper.text()).toBe('false');
    wrapper.unmount();
  });

  it("a member's 'Muted until' goes from the member list once the mute ends, without a reload", async () => {
    const member: MemberView = { userId: 'bob', nickname: 'Bob', role: 'member', card: '', muteUntilMs: START + 5 * 60_000 };
    const wrapper = mount(MemberRow, {
      props: { member, myRole: 'owner', isMe: false },
      global: { plugins: [createPinia(), createMagpieI18n('en')] },
    });
    expect(wrapper.text()).toContain('Muted until');
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(wrapper.text()).not.toContain('Muted until');
    wrapper.unmount();
  });

  it("a mute ends by the server's clock, not the page's: a page 3 minutes fast still shows it until the server's end", async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    // the core tells the server's time: 3 minutes behind this page's clock
    useSession().onConnection({ state: 'online', serverTimeMs: START - 3 * 60_000 });
    // muted for 2 minutes from the server's now: by the page's clock its end is already past
    const member: MemberView = { userId: 'bob', nickname: 'Bob', role: 'member', card: '', muteUntilMs: START - 60_000 };
    const wrapper = mount(MemberRow, {
      props: { member, myRole: 'owner', isMe: false },
      global: { plugins: [pinia, createMagpieI18n('en')] },
    });
    expect(wrapper.text()).toContain('Muted until');
    await vi.advanceTimersByTimeAsync(2 * 60_000 - 1);
    expect(wrapper.text()).toContain('Muted until');
    await vi.advanceTimersByTimeAsync(1);
    expect(wrapper.text()).not.toContain('Muted until');
    wrapper.unmount();
    // muted again for 5 minutes; a later login tells the server is 10 minutes further on: over by then
    const again = mount(MemberRow, {
      props: { member: { ...member, muteUntilMs: useSession().serverNow() + 5 * 60_000 }, myRole: 'owner', isMe: false },
      global: { plugins: [pinia, createMagpieI18n('en')] },
    });
    expect(again.text()).toContain('Muted until');
    useSession().onConnection({ state: 'online', serverTimeMs: useSession().serverNow() + 10 * 60_000 });
    await nextTick();
    expect(again.text()).not.toContain('Muted until');
    again.unmount();
  });
});
