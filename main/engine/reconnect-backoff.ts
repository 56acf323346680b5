import type { EngineTuning } from './tuning';

/**
 * Reconnect delays: exponential from backoffBaseMs up to backoffMaxMs, each reduced at random by
 * up to backoffJitterRatio so that clients cut off by the same outage do not return in step.
 * A passive object like the heartbeat policy: the engine owns the timer.
 */
export type BackoffTuning = Pick<EngineTuning, 'backoffBaseMs' | 'backoffMaxMs' | 'backoffJitterRatio' | 'refusedBackoffMaxMs' | 'capacityBackoffMs'>;

/** Why the last attempt failed, as far as the delay cares: nothing listened (refused), or anything else. */
export type AttemptFailure = 'refused' | 'other';

export interface ReconnectBackoff {
  /**
   * The delay before the next attempt; each call counts one more attempt. After an attempt that
   * every address refused (nothing listens), the delay is capped at refusedBackoffMaxMs.
   */
  nextDelayMs(failure?: AttemptFailure): number;
  /**
   * The delay after the server refused a login for want of room (its cap of sessions per address
   * or per app): long, since others must leave first, and jittered like the others.
   */
  nextCapacityDelayMs(): number;
  /** Attempts counted since the last reset. */
  readonly attempts: number;
  /** A connection succeeded: the next loss starts again from the base delay. */
  onConnected(): void;
  /** The shell reports the network is back: try again soon, not after the long delay reached so far. */
  onNetworkUp(): void;
}

export interface ReconnectBackoffDeps {
  readonly tuning: BackoffTuning;
  /** A number in [0, 1); Math.random in production, a fixed sequence in tests. */
  readonly random: () => number;
}

export function createReconnectBackoff({ tuning, random }: ReconnectBackoffDeps): ReconnectBackoff {
  let attempts = 0;
  const jittered = (ceilingMs: number): number =>
    Math.round(ceilingMs * (1 - Math.min(Math.max(random(), 0), 1) * tuning.backoffJitterRatio));
  const reset = (): void => {
    attempts = 0;
  };
  return {
    nextDelayMs(failure = 'other') {
      // cap the exponent too, so a long outage never overflows to Infinity
      const exponent = Math.min(attempts, 30);
      attempts += 1;
      const maxMs = failure === 'refused' ? Math.min(tuning.backoffMaxMs, tuning.refusedBackoffMaxMs) : tuning.backoffMaxMs;
      const ceilingMs = Math.min(maxMs, tuning.backoffBaseMs * 2 ** exponent);
      return jittered(ceilingMs);
    },
    nextCapacityDelayMs() {
      attempts += 1;
      return jittered(Math.max(tuning.capacityBackoffMs, tuning.backoffBaseMs));
    },
    get attempts() {
      return attempts;
    },
    onConnected: reset,
    onNetworkUp: reset,
  };
}
