/**
 * The server's clock in the page (docs/client.md, "Server time"). The core tells the server's time
 * as it reckons it (ConnectionInfo.serverTimeMs); the page keeps the difference to its own clock,
 * taken as the reading arrives, so it holds whichever clock the page runs on (the core's or not).
 */

/**
 * The offset a reading gives: the server's time less the page's clock when it arrived. A reading
 * arrives a little after the core took it, so the page's reckoning trails the core's by that trip
 * and never runs ahead of it.
 */
export function serverOffsetOf(serverTimeMs: number, pageNowMs: number): number {
  return Math.round(serverTimeMs - pageNowMs);
}

/** A clock for the page's timers: the time now, and the offset it adds (reactive, so a change re-arms what waits on it). */
export interface PageClock {
  now(): number;
  readonly offsetMs: number;
}

/** The page's own clock: for what is not a server time (a recording's length, a typing pause). */
export const pageLocalClock: PageClock = { now: () => Date.now(), offsetMs: 0 };
