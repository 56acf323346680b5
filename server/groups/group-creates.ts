import type { SqlDatabase } from '../storage/sql-database';
import { GROUP_LIMITS as L } from './group-limits';

/**
 * The request ids of GROUP creates (migration 15), each with the group it made, for
 * GROUP_LIMITS.createRequestMemoryMs: a repeat of a create whose answer was lost finds its group.
 * Every call runs inside the create's transaction.
 */
export interface GroupCreates {
  /** The group a create of this user with this request id made within the memory, if any. */
  groupOf(appId: string, userId: string, requestId: Uint8Array, nowMs: number): string | undefined;
  /**
   * Records the group a create made. On PostgreSQL a second node recording the same id at once
   * waits for the first and fails on the primary key (group_creates_pkey, a retryable conflict):
   * run again, its create finds the first one's group.
   */
  record(appId: string, userId: string, requestId: Uint8Array, groupId: string, nowMs: number): void;
}

export function createGroupCreates(db: SqlDatabase): GroupCreates {
  const select = db.prepare<[string, string, Uint8Array, number], string>(
    'SELECT group_id FROM group_creates WHERE app_id = ? AND user_id = ? AND request_id = ? AND created_ms > ?',
  ).pluck();
  // an expired row of the same id, not yet swept, gives way to the new one
  const deleteExpired = db.prepare('DELETE FROM group_creates WHERE app_id = ? AND user_id = ? AND request_id = ? AND created_ms <= ?');
  const insert = db.prepare('INSERT INTO group_creates (app_id, user_id, request_id, group_id, created_ms) VALUES (?, ?, ?, ?, ?)');
  const sweep = db.prepare('DELETE FROM group_creates WHERE created_ms <= ?');
  let sweptMs = Number.NEGATIVE_INFINITY;
  return {
    groupOf: (appId, userId, requestId, nowMs) => select.get(appId, userId, requestId, nowMs - L.createRequestMemoryMs),
    record(appId, userId, requestId, groupId, nowMs) {
      const expiredBefore = nowMs - L.createRequestMemoryMs;
      if (nowMs - sweptMs >= L.createRequestSweepMs) {
        sweptMs = nowMs;
        sweep.run(expiredBefore);
      }
      deleteExpired.run(appId, userId, requestId, expiredBefore);
      insert.run(appId, userId, requestId, groupId, nowMs);
    },
  };
}
