import { createHash } from 'node:crypto';
import type { SqlDatabase } from '../storage/sql-database';

/** How often the expired rows of rest_replays are deleted. */
export const REST_REPLAY_SWEEP_MS = 60_000;

/**
 * The replay check shared by every node of one PostgreSQL database (migration 11): a signed
 * request is recorded until its timestamp leaves the window; recording it again while it is live
 * fails, on whichever node it arrives. Expired rows are taken over by the next identical request
 * and swept every REST_REPLAY_SWEEP_MS.
 */
export interface SharedReplays {
  /** Records the request; false when it was already accepted (by any node) and is still live. */
  record(replayKey: string, expiresMs: number, nowMs: number): boolean;
}

export function createSharedReplays(db: SqlDatabase): SharedReplays {
  const insert = db.prepare(`
    INSERT INTO rest_replays (replay_key, expires_ms) VALUES (?, ?)
    ON CONFLICT (replay_key) DO UPDATE SET expires_ms = excluded.expires_ms WHERE rest_replays.expires_ms <= ?`);
  const sweep = db.prepare('DELETE FROM rest_replays WHERE expires_ms <= ?');
  let sweptMs = 0;
  return {
    record(replayKey, expiresMs, nowMs) {
      if (nowMs - sweptMs >= REST_REPLAY_SWEEP_MS) {
        sweptMs = nowMs;
        sweep.run(nowMs);
      }
      // the key holds the signature, URL and body hash: stored as its own hash, fixed length
      const key = createHash('sha256').update(replayKey).digest('base64');
      return insert.run(key, expiresMs, nowMs).changes === 1;
    },
  };
}
