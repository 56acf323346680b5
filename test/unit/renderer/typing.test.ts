import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTypingThrottle } from '../../../renderer/src/stores/typing-throttle';
import { TYPING_TTL_MS, useTyping } from '../../../renderer/src/stores/typing';

describe('the typing throttle', () => {
  it('signals at most once per interval while typing, and once on stop', () => {
    let now = 0;
    const throttle = createTypingThrottle(() => now, 3000);
    expect(throttle.onInput()).toBe(true);
    now = 1000;
    expect(throttle.onInput()).toBe(false);
    now = 3000;
    expect(throttle.onInput()).toBe(true);
    expect(throttle.onStop()).toBe(true);
    expect(throttle.onStop()).toBe(false);
    now = 3100;
    expect(throttle.onInput()).toBe(true);
  });
});

describe('who is typing', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows a typing peer until they stop or go quiet', () => {
    const typing = useTyping();
    typing.onTyping({ conversation: 'g1', from: 'bob', stopped: false });
    typing.onTyping({ conversation: 'g1', from: 'carol', stopped: false });
    expect(typing.typingIn('g1')).toEqual(['bob', 'carol']);
    typing.onTyping({ conversation: 'g1', from: 'bob', stopped: true });
    expect(typing.typingIn('g1')).toEqual(['carol']);
    vi.advanceTimersByTime(TYPING_TTL_MS + 1);
    expect(typing.typingIn('g1')).toEqual([]);
  });
});
