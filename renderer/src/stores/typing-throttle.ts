/**
 * When the composer may tell the peer "typing": at most once per interval while keys are pressed,
 * and one "stopped" when the text is sent or cleared. Time comes in through `now`.
 */
export interface TypingThrottle {
  /** A key was typed; true when a typing signal should go out now. */
  onInput(): boolean;
  /** Text was sent or cleared; true when a stopped signal should go out. */
  onStop(): boolean;
}

export function createTypingThrottle(now: () => number, intervalMs = 3000): TypingThrottle {
  let lastSentMs = Number.NEGATIVE_INFINITY;
  let active = false;
  return {
    onInput() {
      const t = now();
      if (t - lastSentMs < intervalMs) return false;
      lastSentMs = t;
      active = true;
      return true;
    },
    onStop() {
      if (!active) return false;
      active = false;
      lastSentMs = Number.NEGATIVE_INFINITY;
      return true;
    },
  };
}
