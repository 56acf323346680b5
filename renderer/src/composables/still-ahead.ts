import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { pageLocalClock, type PageClock } from '../stores/server-offset';
import { useSession } from '../stores/session';

/** setTimeout holds at most this many milliseconds (about 24.8 days); a longer wait is armed again. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Whether a moment (ms since the epoch) is still ahead, as a ref that turns false once it passes. A
 * computed over Date.now() never runs again by itself: a mute's end showed as still to come, and
 * the composer stayed locked, until something else changed. A server's moment (a mute's end) is
 * measured on the server's clock (useServerClock): a change of its offset re-arms the wait.
 */
export function useStillAhead(untilMs: () => number, clock: PageClock = pageLocalClock): Ref<boolean> {
  const ahead = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  function arm(): void {
    clearTimeout(timer);
    const left = untilMs() - clock.now();
    ahead.value = left > 0;
    if (left > 0) timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  }
  watch(() => [untilMs(), clock.offsetMs], arm, { immediate: true });
  onBeforeUnmount(() => clearTimeout(timer));
  return ahead;
}

/** The server's clock as the page reckons it (the session's offset): for comparing server times. */
export function useServerClock(): PageClock {
  const session = useSession();
  return {
    now: () => session.serverNow(),
    get offsetMs() {
      return session.serverOffsetMs;
    },
  };
}
