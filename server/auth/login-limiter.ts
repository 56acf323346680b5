import { ErrorCode, MagpieError, type Clock } from '../../protocol';

/**
 * Counts failed logins per key (remote address + app + user) in a sliding window. Once a key has
 * too many, further attempts fail at once, before any secret is checked, until the window passes.
 */
export interface LoginLimiter {
  /** Throws TOO_MANY_LOGIN_ATTEMPTS when the key is blocked. */
  check(key: string): void;
  recordFailure(key: string): void;
  recordSuccess(key: string): void;
}

export function createLoginLimiter(deps: { clock: Clock; maxFailures: number; windowMs: number }): LoginLimiter {
  const { clock, maxFailures, windowMs } = deps;
  const failures = new Map<string, number[]>();
  // above this many keys, forget the stale ones so the map cannot grow without bound
  const sweepAbove = 10_000;

  function recent(key: string): number[] {
    const since = clock.now() - windowMs;
    const times = (failures.get(key) ?? []).filter((at) => at > since);
    if (times.length === 0) failures.delete(key);
    else failures.set(key, times);
    return times;
  }

  function sweep(): void {
    for (const key of [...failures.keys()]) recent(key);
  }

  return {
    check(key) {
      if (recent(key).length >= maxFailures) {
        throw new MagpieError(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS, 'too many failed logins; try again later');
      }
    },
    recordFailure(key) {
      const times = recent(key);
      times.push(clock.now());
      failures.set(key, times);
      if (failures.size > sweepAbove) sweep();
    },
    recordSuccess(key) {
      failures.delete(key);
    },
  };
}
