import type { Clock } from '../../protocol';

/**
 * Bytes of stored content each user may add over time: a token bucket per user that holds
 * `burstBytes` and refills at `bytesPerSecond`. Without it one ordinary user fills the disk with
 * messages that each pass every per-message limit.
 */
export interface ContentBudget {
  /**
   * Takes `bytes` from the user's bucket; false (and nothing taken) when there are not enough, and
   * then for every take of that user until the refusal has held MIN_REFUSAL_MS and the bytes are there.
   */
  take(key: string, bytes: number): boolean;
  /** Gives back what a take() charged for something that was not stored after all. */
  refund(key: string, bytes: number): void;
  /** How long until the user's bucket holds `bytes` again. */
  msUntil(key: string, bytes: number): number;
}

export interface ContentBudgetDeps {
  readonly clock: Clock;
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  /** Buckets kept at most; full buckets are forgotten first (a full bucket is the default). */
  readonly maxTrackedUsers?: number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
  /** After a refusal, every take fails until then (see take). */
  refusedUntil: number;
}

/**
 * A refusal holds this long at least. SENDs already in flight behind a refused one must be refused
 * too, or a smaller one that fits would overtake it; the outbox then resends them all in order.
 */
const MIN_REFUSAL_MS = 1_000;

export function createContentBudget(deps: ContentBudgetDeps): ContentBudget {
  const { clock, bytesPerSecond, burstBytes } = deps;
  const maxTracked = deps.maxTrackedUsers ?? 100_000;
  const buckets = new Map<string, Bucket>();

  const refilled = (key: string): Bucket => {
    const now = clock.now();
    const bucket = buckets.get(key);
    if (bucket === undefined) return { tokens: burstBytes, refilledAt: now, refusedUntil: 0 };
    bucket.tokens = Math.min(burstBytes, bucket.tokens + ((now - bucket.refilledAt) * bytesPerSecond) / 1000);
    bucket.refilledAt = now;
    return bucket;
  };

  const forgetFull = (): void => {
    for (const [key] of buckets) {
      const bucket = refilled(key);
      if (bucket.tokens >= burstBytes && bucket.refusedUntil <= clock.now()) buckets.delete(key);
    }
  };

  return {
    take(key, bytes) {
      const bucket = refilled(key);
      const now = clock.now();
      if (bucket.refusedUntil > now || bucket.tokens < bytes) {
        if (bucket.refusedUntil <= now) {
          bucket.refusedUntil = now + Math.max(MIN_REFUSAL_MS, Math.ceil(((Math.min(bytes, burstBytes) - bucket.tokens) * 1000) / bytesPerSecond));
        }
        if (!buckets.has(key)) buckets.set(key, bucket);
        return false;
      }
      bucket.tokens -= bytes;
      if (!buckets.has(key)) {
        if (buckets.size >= maxTracked) forgetFull();
        buckets.set(key, bucket);
      }
      return true;
    },
    refund(key, bytes) {
      const bucket = buckets.get(key);
      if (bucket !== undefined) bucket.tokens = Math.min(burstBytes, bucket.tokens + bytes);
    },
    msUntil(key, bytes) {
      const bucket = refilled(key);
      const missing = Math.min(bytes, burstBytes) - bucket.tokens;
      const refill = missing <= 0 ? 0 : Math.ceil((missing * 1000) / bytesPerSecond);
      return Math.max(refill, bucket.refusedUntil - clock.now());
    },
  };
}
