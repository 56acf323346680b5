import type { SqlDatabase } from '../storage/sql-database';
import type { Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../../protocol';
import { createRevocationLog, type Revocation } from './revocation-log';

/**
 * How a running server learns that the admin CLI (another process, writing the same database)
 * took access away. Every `intervalMs` it reads `PRAGMA data_version`, which changes only when
 * another connection has committed: a few microseconds, no table read. When it changed, the
 * revocation rows after the last one seen are handed to `onRevoked`. Rows written before the
 * server started are skipped: their sessions did not exist then. On PostgreSQL the same poll
 * reads the newest revocation id instead, which also carries revocations made by other nodes.
 */
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
  // PostgreSQL has no data_version: the newest revocation id is its marker (one index lookup); a
  // revocation another node commits after a later-numbered one is seen on the next change
  const dataVersion =
    db.dialect === 'postgres'
      ? db.prepare('SELECT COALESCE(MAX(revocation_id), 0) FROM access_revocations').pluck()
      : db.prepare('PRAGMA data_version').pluck();
  let version = dataVersion.get();
  let lastId = revocations.lastId();
  let timer: TimerHandle | undefined;
  let stopped = false;

  function check(): void {
    timer = undefined;
    if (stopped || !db.open) return;
    try {
      const now = dataVersion.get();
      if (now !== version) {
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
