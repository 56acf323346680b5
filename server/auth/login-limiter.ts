import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { createFailureWindow } from './failure-window';

/**
 * Counts failed logins per key in a sliding window. Once a key has too many, further attempts
 * fail at once, before any secret is checked, until the window passes. The server keeps two: one
 * per remote address (every failure, whatever it named) and one per address and existing
 * sub-account (wrong passwords only).
 */
export interface LoginLimiter {
  /** Throws TOO_MANY_LOGIN_ATTEMPTS when the key is blocked. */
  check(key: string): void;
  recordFailure(key: string): void;
  recordSuccess(key: string): void;
}

/** Keys remembered at most (blocked ones are kept beyond it: see failure-window.ts). */
export const MAX_TRACKED_KEYS = 100_000;

export function createLoginLimiter(deps: { clock: Clock; maxFailures: number; windowMs: number; maxKeys?: number }): LoginLimiter {
  const { clock, maxFailures, windowMs } = deps;
  const failures = createFailureWindow({ clock, windowMs, maxKeys: deps.maxKeys ?? MAX_TRACKED_KEYS, blockAt: maxFailures });
  return {
    check(key) {
      if (failures.blocked(key)) {
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
