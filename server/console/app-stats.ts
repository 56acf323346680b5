import type { SqlDatabase } from '../storage/sql-database';
import { MSG_ID_TIME_FACTOR } from '../chat/message-store';
import type { SessionRegistry } from '../gateway/sessions';

/** `+app_id` keeps SQLite off the per-app indexes, which would read the app's whole history. */
export const MESSAGES_SINCE_SQL = 'SELECT COUNT(*) FROM messages WHERE msg_id >= ? AND +app_id = ? AND time_ms >= ?';
/** PostgreSQL has no unary + on text; its planner weighs the indexes by their statistics. */
const MESSAGES_SINCE_SQL_PG = 'SELECT COUNT(*) FROM messages WHERE msg_id >= ? AND app_id = ? AND time_ms >= ?';

export interface AppStats {
  /** Distinct users of the app with a session now, and messages the app stored since `sinceMs`. */
  of(appId: string, sinceMs: number): { onlineUsers: number; messagesSince: number };
}

/**
 * Counts for the console. Message ids start at their time × MSG_ID_TIME_FACTOR, so "since" is a
 * range of the primary key: it reads the day's rows of every app rather than adding an index that
 * every send would pay for, to serve a page a developer opens now and then.
 */
export function createAppStats(deps: { db: SqlDatabase; sessions: SessionRegistry }): AppStats {
  const count = deps.db.prepare<[number, string, number], number>(deps.db.dialect === 'postgres' ? MESSAGES_SINCE_SQL_PG : MESSAGES_SINCE_SQL).pluck();
  return {
    of(appId, sinceMs) {
      return { onlineUsers: deps.sessions.usersOnline(appId), messagesSince: count.get(sinceMs * MSG_ID_TIME_FACTOR, appId, sinceMs) ?? 0 };
    },
  };
}
