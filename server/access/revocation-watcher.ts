import type { SqlDatabase } from '../storage/sql-database';
import type { Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../../protocol';
import { createRevocationLog, type Revocation, type RevocationLog } from './revocation-log';

/**
 * How a running server learns that the admin CLI (another process, writing the same database)
 * took access away. Every `intervalMs` it reads `PRAGMA data_version`, which changes only when
 * another connection has committed: a few microseconds, no table read. When it changed, the
 * revocation rows after the last one seen are handed to `onRevoked`. Rows written before the
 * server started are skipped: their sessions did not exist then. On PostgreSQL (other nodes write
 * too) each poll reads the rows above a watermark instead: see pgPoller.
 */

/**
 * PostgreSQL: how long a missing revocation id below one already seen is waited for. Ids are taken
 * when a row is inserted, not when it commits: a transaction that commits late leaves a gap that
 * fills later (a rolled-back one never fills). Far longer than any transaction of the server or
 * the admin CLI (statements and idle transactions are bounded, pgStatementTimeoutMs).
 */
export const REVOCATION_GAP_WAIT_MS = 60_000;
export interface RevocationWatcher {
  stop(): void;
}

export interface RevocationWatcherDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly log: Logger;
  readonly intervalMs: number;
  onRevoked(revocation: Revocation): void;
}

export function startRevocationWatcher(deps: RevocationWatcherDeps): RevocationWatcher {
  const { db, log } = deps;
  // the poll watches other processes, so it keeps wall-clock time; on PostgreSQL each poll is a
  // round trip, and a test's hand-moved clock would run thousands of them in one jump
  const clock = db.dialect === 'postgres' ? systemClock : deps.clock;
  const revocations = createRevocationLog(db);
  const pg = db.dialect === 'postgres' ? pgPoller(revocations, revocations.lastId(), (r) => deps.onRevoked(r)) : undefined;
  const dataVersion = pg ? undefined : db.prepare('PRAGMA data_version').pluck();
  let version = dataVersion?.get();
  let lastId = revocations.lastId();
  let timer: TimerHandle | undefined;
  let stopped = false;

  function check(): void {
    timer = undefined;
    if (stopped || !db.open) return;
    try {
      if (pg) {
        pg(systemClock.now());
      } else {
        const now = dataVersion!.get();
        if (now === version) return schedule();
        version = now;
        for (let batch = revocations.after(lastId); batch.length > 0; batch = revocations.after(lastId)) {
          for (const revocation of batch) {
            lastId = revocation.id;
            deps.onRevoked(revocation);
          }
        }
      }
    } catch (error) {
      // a busy or failing disk: the next turn tries again, and sessions end a little later
      log.warn({ err: error }, 'could not read access revocations; retrying');
    }
    schedule();
  }

  function schedule(): void {
    timer = clock.setTimeout(check, deps.intervalMs);
  }

  timer = clock.setTimeout(check, deps.intervalMs);
  return {
    stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * PostgreSQL has no data_version, and ids are not committed in order: a revocation numbered 5 may
 * commit after 6 was read. Each poll reads the rows above a watermark (an index range, normally
 * empty), hands on those not handled yet, and keeps the watermark below every missing id until it
 * turns up or REVOCATION_GAP_WAIT_MS has passed. The handled ids above the watermark are the only
 * ones kept, so the set stays small.
 */
export function pgPoller(log: RevocationLog, startId: number, onRevoked: (revocation: Revocation) => void): (nowMs: number) => void {
  let watermark = startId;
  const handled = new Set<number>();
  /** Missing ids above the watermark, with when they were first missed. */
  const gaps = new Map<number, number>();
  return (nowMs) => {
    let highest = watermark;
    let cursor = watermark;
    for (let batch = log.after(cursor); batch.length > 0; batch = log.after(cursor)) {
      for (const revocation of batch) {
        cursor = revocation.id;
        highest = Math.max(highest, revocation.id);
        gaps.delete(revocation.id);
        if (handled.has(revocation.id)) continue;
        handled.add(revocation.id);
        onRevoked(revocation);
      }
    }
    for (let id = watermark + 1; id < highest; id++) {
      if (!handled.has(id) && !gaps.has(id)) gaps.set(id, nowMs);
    }
    for (const [id, sinceMs] of gaps) if (nowMs - sinceMs >= REVOCATION_GAP_WAIT_MS) gaps.delete(id);
    watermark = gaps.size === 0 ? highest : Math.min(...gaps.keys()) - 1;
    for (const id of handled) if (id <= watermark) handled.delete(id);
  };
}
