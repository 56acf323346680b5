import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { createFailureWindow } from './failure-window';

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

/** Keys (address + app + user) remembered at most; the least recently failed are forgotten first. */
const MAX_TRACKED_KEYS = 100_000;

export function createLoginLimiter(deps: { clock: Clock; maxFailures: number; windowMs: number }): LoginLimiter {
  const { clock, maxFailures, windowMs } = deps;
  const failures = createFailureWindow({ clock, windowMs, maxKeys: MAX_TRACKED_KEYS });
  return {
    check(key) {
      if (failures.count(key) >= maxFailures) {
        throw new MagpieError(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS, 'too many failed logins; try again later');
      }
    },
    recordFailure(key) {
      failures.add(key);
    },
    recordSuccess(key) {
      failures.clear(key);
    },
  };
}
