import type { Clock } from '../../protocol';

/** Allows `burst` requests at once and `ratePerSecond` sustained; time comes from the clock. */
export interface TokenBucket {
  /** Takes one token; false when the bucket is empty. */
  take(): boolean;
  /** How long until a token is there (0 when one is there now). */
  msUntilToken(): number;
}

export function createTokenBucket(deps: { clock: Clock; ratePerSecond: number; burst: number }): TokenBucket {
  const { clock, ratePerSecond, burst } = deps;
  let tokens = burst;
  let refilledAt = clock.now();
  const refill = (): void => {
    const now = clock.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) * ratePerSecond) / 1000);
    refilledAt = now;
  };
  return {
    take() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    msUntilToken() {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / ratePerSecond);
    },
  };
}
