import type { Clock } from '../../protocol';

/**
 * Times of failed logins per key, within a sliding window: what the login limiters count. Keys
 * whose failures have all aged out are forgotten. Past `maxKeys`, the least recently failed key
 * that is not blocked goes; a blocked key (at least `blockAt` failures) is never forgotten before
 * its failures age out, so flooding the window with new keys cannot lift a block.
 */
export interface FailureWindow {
  /** Failures of the key within the window. */
  count(key: string): number;
  /** Whether the key has `blockAt` failures or more within the window. */
  blocked(key: string): boolean;
  /** How long until the key is no longer blocked (its oldest failures age out); 0 when it is not. */
  blockedForMs(key: string): number;
  /** Records a failure now. */
  add(key: string): void;
  /** Forgets every failure of the key. */
  clear(key: string): void;
  /** Keys remembered now (for tests and metrics). */
  readonly size: number;
}

export interface FailureWindowDeps {
  readonly clock: Clock;
  readonly windowMs: number;
  readonly maxKeys: number;
  readonly blockAt: number;
}

/**
 * Blocked keys may push the count past maxKeys; past this many times it, a new key is not
 * remembered at all (its failures go uncounted here) rather than memory growing without end:
 * that takes maxKeys × HARD_LIMIT_FACTOR × blockAt failures, which the per-address limit spreads
 * over that many addresses.
 */
const HARD_LIMIT_FACTOR = 4;

export function createFailureWindow(deps: FailureWindowDeps): FailureWindow {
  const { clock, windowMs, maxKeys, blockAt } = deps;
  const failures = new Map<string, number[]>();

  function recent(key: string): number[] {
    const times = failures.get(key);
    if (!times) return [];
    const since = clock.now() - windowMs;
    const kept = times.filter((at) => at > since);
    if (kept.length === 0) failures.delete(key);
    else if (kept.length !== times.length) failures.set(key, kept);
    return kept;
  }

  /** Forgets one key that is not blocked, oldest first; blocked keys met on the way move to the back. */
  function evictOne(): void {
    for (let scanned = failures.size; scanned > 0; scanned--) {
      const oldest = failures.keys().next().value!;
      const times = recent(oldest);
      if (times.length === 0) return;
      if (times.length < blockAt) {
        failures.delete(oldest);
        return;
      }
      failures.delete(oldest);
      failures.set(oldest, times);
    }
  }

  return {
    count: (key) => recent(key).length,
    blocked: (key) => recent(key).length >= blockAt,
    blockedForMs(key) {
      const times = recent(key);
      if (times.length < blockAt) return 0;
      // times are in the order they failed: the block lifts when all but blockAt - 1 have aged out
      return Math.max(0, times[times.length - blockAt]! + windowMs - clock.now());
    },
    add(key) {
      const times = recent(key);
      if (times.length === 0 && failures.size >= maxKeys * HARD_LIMIT_FACTOR) return;
      // re-inserted, so the map's order is least recently failed first
      failures.delete(key);
      failures.set(key, [...times, clock.now()]);
      if (failures.size > maxKeys) evictOne();
    },
    clear: (key) => void failures.delete(key),
    get size() {
      return failures.size;
    },
  };
}
