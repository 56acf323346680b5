import type { Clock } from '../../protocol';

/** One LOGIN's round trip by the local clock, and the server's time in its answer (LOGIN_RESULT.server_time_ms). */
export interface ServerTimeSample {
  readonly sentMs: number;
  readonly answeredMs: number;
  readonly serverTimeMs: number;
}

/**
 * The server's clock as this client reckons it (docs/client.md, "Server time"). The server decides
 * everything timed (the revoke window, mutes, media token expiry) by its own clock and stamps
 * every message with it, so a client compares those times with this, never with its own clock,
 * which may be minutes off. Each login gives a sample: the server read its clock somewhere between
 * the LOGIN's send and its answer, so the midpoint is off by at most half the round trip. The
 * latest login wins: the local clock may have been set since an earlier one.
 */
export interface ServerClock {
  /** The server's time now (ms since the epoch), as reckoned; the local clock's until a login told it. */
  now(): number;
  /** The server's time now, or undefined while no login has told it. */
  reading(): number | undefined;
  /** Server time less local time, in ms (0 until a login told it). */
  readonly offsetMs: number;
  /** Takes a login's sample. */
  observe(sample: ServerTimeSample): void;
}

export function createServerClock(clock: Pick<Clock, 'now'>): ServerClock {
  let offsetMs: number | undefined;
  return {
    now: () => clock.now() + (offsetMs ?? 0),
    reading: () => (offsetMs === undefined ? undefined : clock.now() + offsetMs),
    get offsetMs() {
      return offsetMs ?? 0;
    },
    observe({ sentMs, answeredMs, serverTimeMs }) {
      // a server that told no time (0), or a sample out of order, teaches nothing
      if (!(serverTimeMs > 0) || !(answeredMs >= sentMs)) return;
      offsetMs = Math.round(serverTimeMs - (sentMs + answeredMs) / 2);
    },
  };
}
