import type { Logger } from 'pino';

/** How often a streak of lost commit windows is logged again, with how many were lost meanwhile. */
export const WINDOW_LOSS_LOG_INTERVAL_MS = 60_000;

/**
 * The log lines for lost commit windows (commit-window.ts `onWindowLost`). On a full disk a window
 * is lost at each commit, about once a second: the first loss is logged whole, with its error,
 * and the next ones at most once a minute, saying how many were not logged in between, so the
 * log stays readable (and does not help fill the disk).
 */
export function createWindowLossLog(log: Pick<Logger, 'error'>, now: () => number = Date.now): (error: unknown, recovered: boolean) => void {
  let lastLoggedMs = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  return (error, recovered) => {
    if (now() - lastLoggedMs < WINDOW_LOSS_LOG_INTERVAL_MS) {
      unlogged++;
      return;
    }
    const fields = { err: error, ...(unlogged > 0 ? { lostSinceLastLine: unlogged } : {}) };
    lastLoggedMs = now();
    unlogged = 0;
    if (recovered) log.error(fields, 'a commit window was lost; its redo log was run again, nothing is lost');
    else log.error(fields, 'a commit window was lost and its redo log could not be run again yet; writes fail until it can');
  };
}
