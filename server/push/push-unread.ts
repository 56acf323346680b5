import type { SqlDatabase } from '../storage/sql-database';
import type { PendingPush } from './push-queue';

/** How many of a user's newest inbox entries a push's `unread` is counted over (docs/rest.md). */
export const UNREAD_WINDOW_ENTRIES = 10_000;

/**
 * How many of a large group's newest timeline entries a push of its @all counts the unread over
 * (docs/rest.md): one @all pushes up to every member, so each count stays small.
 */
export const TIMELINE_UNREAD_WINDOW_ENTRIES = 1_000;

/** A large group's unread messages in its timeline, for one reader (its query plan is tested). */
export const TIMELINE_UNREAD_SQL = `
  SELECT count(*) FROM group_timeline e
  JOIN messages m ON m.msg_id = e.msg_id
  LEFT JOIN read_marks r ON r.app_id = e.app_id AND r.user_id = @userId AND r.conversation = e.group_id
  WHERE e.app_id = @appId AND e.group_id = @groupId AND e.kind = 1 AND m.sender <> @userId
    AND e.seq > (SELECT max_seq FROM group_timelines t WHERE t.app_id = @appId AND t.group_id = @groupId) - @window
    AND m.revoked_ms IS NULL AND m.burned_ms IS NULL AND m.msg_id > COALESCE(r.up_to_msg_id, 0)
    AND EXISTS (SELECT 1 FROM timeline_access a WHERE a.app_id = e.app_id AND a.user_id = @userId AND a.group_id = e.group_id
      AND e.seq > a.from_seq AND (a.until_seq IS NULL OR e.seq <= a.until_seq))`;

/** The reader's inbox copies of a large group's messages (its mentions), counted in the timeline instead. */
export const INBOX_TIMELINE_COPIES_SQL = `
  SELECT count(*) FROM inbox i
  JOIN messages m ON m.msg_id = i.msg_id
  LEFT JOIN read_marks r ON r.app_id = i.app_id AND r.user_id = i.user_id AND r.conversation = m.target
  WHERE i.app_id = ? AND i.user_id = ? AND i.seq > ? AND i.kind = 1 AND i.own = 0 AND m.target = ?
    AND m.msg_id >= (SELECT e.msg_id FROM group_timeline e WHERE e.app_id = i.app_id AND e.group_id = m.target AND e.seq = 1)
    AND m.revoked_ms IS NULL AND m.burned_ms IS NULL AND m.msg_id > COALESCE(r.up_to_msg_id, 0)`;

export interface PushUnread {
  /** A push's `unread` (docs/rest.md "Offline push"); `head` is the recipient's inbox head. */
  of(push: PendingPush, head: { max_seq: number } | undefined): number;
}

/** The badge a push carries, as the client counts its unread. */
export function createPushUnread(db: SqlDatabase): PushUnread {
  // the badge: messages from others not yet read (READ marks), as the client counts its unread;
  // notices, receipts and revoked or burned messages are no unread message. Only the newest
  // UNREAD_WINDOW_ENTRIES inbox entries are looked at, so a long inbox costs a push a bounded scan.
  const unreadOf = db.prepare<[string, string, number], number>(`
    SELECT count(*) FROM inbox i
    JOIN messages m ON m.msg_id = i.msg_id
    LEFT JOIN read_marks r ON r.app_id = i.app_id AND r.user_id = i.user_id
      AND r.conversation = CASE WHEN m.is_group = 1 THEN m.target ELSE m.sender END
    WHERE i.app_id = ? AND i.user_id = ? AND i.seq > ? AND i.kind = 1 AND i.own = 0
      AND m.revoked_ms IS NULL AND m.burned_ms IS NULL AND m.msg_id > COALESCE(r.up_to_msg_id, 0)`).pluck();
  // a large group's messages are in no inbox but the mentioned members' copies: its timeline's
  // unread messages are counted there, over its newest entries within the reader's ranges, and the
  // inbox count leaves out the copies of the messages since its first (seq 1 is always a message)
  const timelineUnreadOf = db.prepare<{ appId: string; userId: string; groupId: string; window: number }, number>(TIMELINE_UNREAD_SQL).pluck();
  const inboxTimelineCopiesOf = db.prepare<[string, string, number, string], number>(INBOX_TIMELINE_COPIES_SQL).pluck();

  /**
   * The badge, as the client counts its unread. A push of a large group's @all adds that group's
   * timeline (where its messages are) and leaves out the inbox copies of its mentions, counted there.
   */
  function unreadFor(push: PendingPush, head: { max_seq: number } | undefined): number {
    const after = head === undefined ? 0 : Math.max(0, head.max_seq - UNREAD_WINDOW_ENTRIES);
    const inbox = head === undefined ? undefined : unreadOf.get(push.appId, push.userId, after);
    if (push.timeline === null) return inbox === undefined ? push.count : Number(inbox);
    const { appId, userId } = push;
    const groupId = push.timeline.groupId;
    const copies = head === undefined ? 0 : Number(inboxTimelineCopiesOf.get(appId, userId, after, groupId) ?? 0);
    const timeline = Number(timelineUnreadOf.get({ appId, userId, groupId, window: TIMELINE_UNREAD_WINDOW_ENTRIES }) ?? 0);
    return Number(inbox ?? 0) - copies + timeline;
  }

  return { of: unreadFor };
}
