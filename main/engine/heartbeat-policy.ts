import type { Clock } from '../../protocol';
import type { EngineTuning } from './tuning';

/**
 * The adaptive heartbeat: it grows while pings are answered and steps back when one is not. A
 * passive object: the engine tells it what happened (onX) and asks it how long to wait
 * (nextIntervalMs); it owns no timer and no socket, so it is tested by calling it.
 *
 * The interval lives between a minimum and the server's idle timeout less a margin. It grows by a
 * step after a run of successes; a heartbeat that times out marks its interval as a ceiling for a
 * while, and the policy falls back to the largest interval known to work. Near a ceiling it grows
 * by halves, so it settles just below the failing value. Repeated failures in a row mean the
 * network, not the NAT, is the problem: the policy forgets what it learned and starts again.
 */
export type HeartbeatTuning = Pick<
  EngineTuning,
  | 'minHeartbeatMs'
  | 'maxHeartbeatMs'
  | 'heartbeatStepMs'
  | 'successesBeforeGrowth'
  | 'failuresBeforeReset'
  | 'idleTimeoutMarginMs'
  | 'failedIntervalMemoryMs'
>;

export interface HeartbeatSnapshot {
  readonly currentIntervalMs: number;
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
  /** The largest interval that has worked since the last reset; 0 when none has yet. */
  readonly lastGoodIntervalMs: number;
  /** An interval that failed recently: the policy stays below it until it expires. */
  readonly failedCeilingMs: number | undefined;
  /** True when the interval will not grow any more (at the maximum or just below a ceiling). */
  readonly stable: boolean;
  readonly consecutiveSuccesses: number;
  readonly consecutiveFailures: number;
}

export interface HeartbeatPolicy {
  /** The interval in use, for the engine's timer and the shell's status display. */
  readonly currentIntervalMs: number;
  /** How long to wait before the next ping. */
  nextIntervalMs(): number;
  /** A ping at the current interval was answered (any frame counts). */
  onHeartbeatSuccess(): void;
  /** A ping at the current interval went unanswered. */
  onHeartbeatTimeout(): void;
  /** The server announced (at login) that it closes sessions silent for this long. */
  onServerIdleTimeout(idleTimeoutMs: number): void;
  /** A new network (or network-up after a loss): what was learned about the old NAT no longer holds. */
  onNetworkChange(): void;
  snapshot(): HeartbeatSnapshot;
}

export interface HeartbeatPolicyDeps {
  readonly tuning: HeartbeatTuning;
  readonly clock: Pick<Clock, 'now'>;
}

export function createHeartbeatPolicy({ tuning, clock }: HeartbeatPolicyDeps): HeartbeatPolicy {
  let maxMs = tuning.maxHeartbeatMs;
  let currentMs = minMs();
  let lastGoodMs = 0;
  let ceiling: { ms: number; untilMs: number } | undefined;
  let successes = 0;
  let failures = 0;

  function minMs(): number {
    // a server that wants pings more often than our minimum wins: it closes the session otherwise
    return Math.min(tuning.minHeartbeatMs, maxMs);
  }

  function activeCeilingMs(): number | undefined {
    if (ceiling && clock.now() >= ceiling.untilMs) ceiling = undefined;
    return ceiling?.ms;
  }

  /** The next interval to try after a run of successes, or the current one when it should stay. */
  function grownIntervalMs(): number {
    const stepMs = tuning.heartbeatStepMs;
    const ceilingMs = activeCeilingMs();
    if (ceilingMs === undefined || ceilingMs > maxMs) return Math.min(maxMs, currentMs + stepMs);
    // below a failed value: a full step while there is room, then halves down to a quarter step
    const roomMs = ceilingMs - currentMs;
    if (roomMs > stepMs) return currentMs + stepMs;
    const halfMs = Math.floor(roomMs / 2);
    return halfMs >= stepMs / 4 ? currentMs + halfMs : currentMs;
  }

  function resetLearning(): void {
    currentMs = minMs();
    lastGoodMs = 0;
    ceiling = undefined;
    successes = 0;
    failures = 0;
  }

  return {
    get currentIntervalMs() {
      return currentMs;
    },
    nextIntervalMs: () => currentMs,
    onHeartbeatSuccess() {
      failures = 0;
      successes += 1;
      lastGoodMs = Math.max(lastGoodMs, currentMs);
      if (successes >= tuning.successesBeforeGrowth) {
        successes = 0;
        currentMs = grownIntervalMs();
      }
    },
    onHeartbeatTimeout() {
      successes = 0;
      failures += 1;
      if (failures >= tuning.failuresBeforeReset) {
        resetLearning();
        return;
      }
      const failedMs = currentMs;
      const untilMs = clock.now() + tuning.failedIntervalMemoryMs;
      const known = activeCeilingMs();
      ceiling = { ms: known === undefined ? failedMs : Math.min(known, failedMs), untilMs };
      if (lastGoodMs >= failedMs) lastGoodMs = 0; // it worked once, but not any more
      currentMs = lastGoodMs > 0 ? lastGoodMs : Math.max(minMs(), failedMs - tuning.heartbeatStepMs);
    },
    onServerIdleTimeout(idleTimeoutMs) {
      if (!(idleTimeoutMs > 0)) return;
      const margin = Math.min(tuning.idleTimeoutMarginMs, idleTimeoutMs / 2);
      maxMs = Math.floor(idleTimeoutMs - margin);
      currentMs = Math.min(Math.max(currentMs, minMs()), maxMs);
      lastGoodMs = Math.min(lastGoodMs, maxMs);
    },
    onNetworkChange: resetLearning,
    snapshot() {
      const failedCeilingMs = activeCeilingMs();
      return {
        currentIntervalMs: currentMs,
        minIntervalMs: minMs(),
        maxIntervalMs: maxMs,
        lastGoodIntervalMs: lastGoodMs,
        failedCeilingMs,
        stable: grownIntervalMs() === currentMs,
        consecutiveSuccesses: successes,
        consecutiveFailures: failures,
      };
    },
  };
}
