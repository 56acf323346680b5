import type { SqlDatabase } from '../storage/sql-database';

export interface MemberReadState {
  readonly userId: string;
  readonly upToMsgId: number;
}

/** Read-up-to marks per user and conversation (a peer's user id or a group id). */
export interface ReadMarkStore {
  get(appId: string, userId: string, conversation: string): number;
  /** Moves the mark forward; returns false when it was already at or past `upToMsgId`. */
  advance(appId: string, userId: string, conversation: string, upToMsgId: number, timeMs: number): boolean;
  /** Every member of a group who joined by `joinedBy`, with their mark (0 when none). */
  groupMembersReadState(appId: string, groupId: string, joinedBy: number): MemberReadState[];
}

export function createReadMarkStore(db: SqlDatabase): ReadMarkStore {
  const select = db
    .prepare<[string, string, string], number>(
      'SELECT up_to_msg_id FROM read_marks WHERE app_id = ? AND conversation = ? AND user_id = ?',
    )
    .pluck();
  const upsert = db.prepare(`
    INSERT INTO read_marks (app_id, conversation, user_id, up_to_msg_id, time_ms) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (app_id, conversation, user_id) DO UPDATE SET up_to_msg_id = excluded.up_to_msg_id, time_ms = excluded.time_ms
    WHERE excluded.up_to_msg_id > read_marks.up_to_msg_id`);
  const membersState = db.prepare<[string, string, number], { user_id: string; up_to: number }>(`
    SELECT m.user_id, COALESCE(r.up_to_msg_id, 0) AS up_to
    FROM group_members m
    LEFT JOIN read_marks r ON r.app_id = m.app_id AND r.conversation = m.group_id AND r.user_id = m.user_id
    WHERE m.app_id = ? AND m.group_id = ? AND m.joined_ms <= ?
    ORDER BY m.joined_ms, m.user_id`);

  return {
    get: (appId, userId, conversation) => select.get(appId, conversation, userId) ?? 0,
    advance: (appId, userId, conversation, upToMsgId, timeMs) =>
      upsert.run(appId, conversation, userId, upToMsgId, timeMs).changes > 0,
    groupMembersReadState: (appId, groupId, joinedBy) =>
      membersState.all(appId, groupId, joinedBy).map((row) => ({ userId: row.user_id, upToMsgId: row.up_to })),
  };
}
