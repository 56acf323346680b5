import type { Clock } from '../../protocol';

/** Allows `burst` requests at once and `ratePerSecond` sustained; time comes from the clock. */
export interface TokenBucket {
  /** Takes one token; false when the bucket is empty. */
  take(): boolean;
}

export function createTokenBucket(deps: { clock: Clock; ratePerSecond: number; burst: number }): TokenBucket {
  const { clock, ratePerSecond, burst } = deps;
  let tokens = burst;
  let refilledAt = clock.now();
  return {
    take() {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - refilledAt) * ratePerSecond) / 1000);
      refilledAt = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
