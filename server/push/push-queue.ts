import { greatest, type SqlDatabase } from '../storage/sql-database';

/** How a push's messages mention the recipient; a personal @mention outweighs @all. */
export type PushMention = 'none' | 'all' | 'you';

// push_pending.mention holds the rank, so a merge keeps the greatest (migration 0012)
const MENTION_RANK: Record<PushMention, number> = { none: 0, all: 1, you: 2 };
const mentionOfRank = (rank: number): PushMention => (rank >= MENTION_RANK.you ? 'you' : rank === MENTION_RANK.all ? 'all' : 'none');

/** One offline message for a recipient, as the queue merges it. */
export interface PushItem {
  readonly appId: string;
  readonly userId: string;
  readonly seq: number;
  readonly sender: string;
  readonly senderNickname: string;
  readonly conversation: string;
  readonly preview: string | null;
  readonly mention: PushMention;
}

/**
 * A large (read-diffused) group's @all, for the members with no online session: it is in no
 * member's inbox, so the rows remember its timeline seq instead (migration 0013).
 */
export interface TimelinePushItem {
  readonly appId: string;
  readonly userIds: readonly string[];
  readonly groupId: string;
  readonly timelineSeq: number;
  readonly sender: string;
  readonly senderNickname: string;
  readonly preview: string | null;
}

/** A recipient's pending notification: every message since the last one, merged. */
export interface PendingPush {
  readonly appId: string;
  readonly userId: string;
  readonly count: number;
  readonly maxSeq: number;
  readonly sender: string;
  readonly senderNickname: string;
  /** Empty when the merged messages came from several conversations. */
  readonly conversation: string;
  readonly preview: string | null;
  /** The strongest mention among the merged messages. */
  readonly mention: PushMention;
  /** The newest large group's @all the row covers (in no inbox): its group and timeline seq. */
  readonly timeline: { readonly groupId: string; readonly seq: number } | null;
  readonly dueMs: number;
  readonly attempts: number;
}

export interface PushQueue {
  /** Merges the items into their recipients' rows, in one transaction. */
  enqueue(items: readonly PushItem[], nowMs: number, delayMs: number, minIntervalMs: number): void;
  /**
   * Merges a large group's @all into every named member's row, in one statement: called inside the
   * SEND's transaction, so the rows commit (or roll back) with the message.
   */
  enqueueTimeline(item: TimelinePushItem, nowMs: number, delayMs: number, minIntervalMs: number): void;
  /**
   * Rows due now, at most `limit`, none of the apps in `skipApps`. On PostgreSQL they are claimed for `claimMs` (other nodes skip
   * them until the send ends or the claim runs out), so two nodes never send the same push.
   */
  due(nowMs: number, limit: number, claimMs: number, skipApps?: readonly string[]): PendingPush[];
  /**
   * The first `limit` rows with something pending, by when they are due (on PostgreSQL, a claimed
   * row when its claim runs out), the apps in `skipApps` left out.
   */
  nextDue(limit: number, skipApps: readonly string[]): { appId: string; userId: string; dueMs: number }[];
  /** A row `due` claimed that this node does not send now: free at once for any node (PostgreSQL). */
  unclaim(push: PendingPush): void;
  /** `count` of the row's messages were notified (more may have merged meanwhile). */
  sent(push: PendingPush, nowMs: number, minIntervalMs: number): void;
  retryAt(push: PendingPush, dueMs: number): void;
  /** Nothing to notify any more (the user came back, or attempts ran out). */
  drop(push: PendingPush): void;
  /** Forgets rows with nothing pending whose quiet period is over. */
  sweep(nowMs: number, minIntervalMs: number): void;
  depth(): number;
}

interface Row {
  app_id: string;
  user_id: string;
  count: number;
  max_seq: number;
  sender: string;
  sender_nickname: string;
  conversation: string;
  preview: string | null;
  mention: number;
  timeline_group: string | null;
  timeline_seq: number | null;
  due_ms: number;
  attempts: number;
}

/**
 * The durable queue of offline pushes (table push_pending): one row per recipient. A new row is
 * due after the delay; messages that arrive while it waits merge into it (its sender is the last
 * message's, unless a message before it mentions the recipient more strongly: the push then names
 * who @mentioned them); a row already sent (count 0) is due again no sooner than minInterval after
 * that send. In SQLite's UPDATE every
 * right-hand side reads the row as it was, so the CASEs below see the old count.
 */
export function createPushQueue(db: SqlDatabase): PushQueue {
  const max = greatest(db);
  const upsert = db.prepare(`
    INSERT INTO push_pending AS p (app_id, user_id, count, max_seq, sender, sender_nickname, conversation, preview, mention, due_ms)
    VALUES (@appId, @userId, 1, @seq, @sender, @senderNickname, @conversation, @preview, @mention, @dueMs)
    ON CONFLICT (app_id, user_id) DO UPDATE SET
      due_ms = CASE WHEN p.count = 0 THEN ${max}(excluded.due_ms, COALESCE(p.sent_ms, 0) + @minIntervalMs) ELSE p.due_ms END,
      attempts = CASE WHEN p.count = 0 THEN 0 ELSE p.attempts END,
      conversation = CASE WHEN p.count = 0 OR p.conversation = excluded.conversation THEN excluded.conversation ELSE '' END,
      count = p.count + 1,
      max_seq = ${max}(p.max_seq, excluded.max_seq),
      sender = CASE WHEN p.count = 0 OR excluded.mention >= p.mention THEN excluded.sender ELSE p.sender END,
      sender_nickname = CASE WHEN p.count = 0 OR excluded.mention >= p.mention THEN excluded.sender_nickname ELSE p.sender_nickname END,
      preview = excluded.preview,
      mention = CASE WHEN p.count = 0 THEN excluded.mention ELSE ${max}(p.mention, excluded.mention) END,
      timeline_group = CASE WHEN p.count = 0 THEN NULL ELSE p.timeline_group END,
      timeline_seq = CASE WHEN p.count = 0 THEN NULL ELSE p.timeline_seq END`);
  // a large group's @all: one row per member named (a JSON array), merged like the upsert above.
  // Its max_seq is the member's inbox seq confirmed so far, so only the timeline decides when a row
  // of it alone was seen; merged into a row with inbox messages, theirs stays. Every value is cast:
  // PostgreSQL reads an untyped parameter in a SELECT list as text.
  const members =
    db.dialect === 'postgres'
      ? 'jsonb_array_elements_text(CAST(@userIds AS jsonb)) AS u(value)'
      : 'json_each(@userIds) AS u';
  // byte order, as enqueue's sort (user ids are ASCII): not the database's collation
  const userOrder = db.dialect === 'postgres' ? 'u.value COLLATE "C"' : 'u.value';
  const upsertTimeline = db.prepare(`
    INSERT INTO push_pending AS p (app_id, user_id, count, max_seq, sender, sender_nickname, conversation, preview, mention, due_ms, timeline_group, timeline_seq)
    SELECT CAST(@appId AS TEXT), u.value, 1, COALESCE(h.confirmed_seq, 0), CAST(@sender AS TEXT), CAST(@senderNickname AS TEXT),
      CAST(@groupId AS TEXT), CAST(@preview AS TEXT), ${MENTION_RANK.all}, CAST(@dueMs AS BIGINT), CAST(@groupId AS TEXT), CAST(@timelineSeq AS BIGINT)
    FROM ${members} LEFT JOIN inbox_heads h ON h.app_id = CAST(@appId AS TEXT) AND h.user_id = u.value
    WHERE true ORDER BY ${userOrder}
    ON CONFLICT (app_id, user_id) DO UPDATE SET
      due_ms = CASE WHEN p.count = 0 THEN ${max}(excluded.due_ms, COALESCE(p.sent_ms, 0) + @minIntervalMs) ELSE p.due_ms END,
      attempts = CASE WHEN p.count = 0 THEN 0 ELSE p.attempts END,
      conversation = CASE WHEN p.count = 0 OR p.conversation = excluded.conversation THEN excluded.conversation ELSE '' END,
      count = p.count + 1,
      max_seq = CASE WHEN p.count = 0 THEN excluded.max_seq ELSE p.max_seq END,
      sender = CASE WHEN p.count = 0 OR excluded.mention >= p.mention THEN excluded.sender ELSE p.sender END,
      sender_nickname = CASE WHEN p.count = 0 OR excluded.mention >= p.mention THEN excluded.sender_nickname ELSE p.sender_nickname END,
      preview = excluded.preview,
      mention = CASE WHEN p.count = 0 THEN excluded.mention ELSE ${max}(p.mention, excluded.mention) END,
      timeline_group = excluded.timeline_group,
      timeline_seq = excluded.timeline_seq`);
  // the apps whose webhooks hold all the slots they may have now (a JSON array): their rows wait,
  // and the other apps' rows behind them are read
  const notSkipped =
    db.dialect === 'postgres'
      ? 'app_id NOT IN (SELECT jsonb_array_elements_text(CAST(@skipApps AS jsonb)))'
      : 'app_id NOT IN (SELECT value FROM json_each(@skipApps))';
  const due = db.prepare<{ nowMs: number; limit: number; skipApps: string }, Row>(
    `SELECT * FROM push_pending WHERE count > 0 AND due_ms <= @nowMs AND ${notSkipped} ORDER BY due_ms LIMIT @limit`,
  );
  // PostgreSQL, several nodes: rows another node is sending are skipped (locked or claimed), and
  // the rows taken are claimed in the same statement
  const claimDue = db.dialect !== 'postgres' ? undefined : db.prepare<{ nowMs: number; limit: number; until: number; skipApps: string }, Row>(`
    UPDATE push_pending SET claimed_until_ms = @until
    WHERE (app_id, user_id) IN (
      SELECT app_id, user_id FROM push_pending
      WHERE count > 0 AND due_ms <= @nowMs AND (claimed_until_ms IS NULL OR claimed_until_ms <= @nowMs) AND ${notSkipped}
      ORDER BY due_ms LIMIT @limit FOR UPDATE SKIP LOCKED)
    RETURNING *`);
  // a claimed row is due again when its claim runs out, not before (else a timer would spin)
  const dueAt = db.dialect === 'postgres' ? 'GREATEST(due_ms, COALESCE(claimed_until_ms, 0))' : 'due_ms';
  const nextDue = db.prepare<{ limit: number; skipApps: string }, { app_id: string; user_id: string; due: number }>(
    `SELECT app_id, user_id, ${dueAt} AS due FROM push_pending WHERE count > 0 AND ${notSkipped} ORDER BY ${dueAt} LIMIT @limit`,
  );
  const sent = db.prepare(`
    UPDATE push_pending SET count = ${max}(0, count - @count), sent_ms = @nowMs, attempts = 0, claimed_until_ms = NULL,
      due_ms = CASE WHEN count > @count THEN CAST(@nowMs AS BIGINT) + @minIntervalMs ELSE due_ms END
    WHERE app_id = @appId AND user_id = @userId`);
  const retry = db.prepare('UPDATE push_pending SET attempts = attempts + 1, due_ms = ?, claimed_until_ms = NULL WHERE app_id = ? AND user_id = ?');
  // a large group's @all merged meanwhile moves no max_seq: the count says so
  const drop = db.prepare(
    'UPDATE push_pending SET count = 0, attempts = 0, claimed_until_ms = NULL WHERE app_id = ? AND user_id = ? AND max_seq <= ? AND count <= ?',
  );
  const release = db.prepare('UPDATE push_pending SET claimed_until_ms = NULL WHERE app_id = ? AND user_id = ?');
  const sweep = db.prepare('DELETE FROM push_pending WHERE count = 0 AND COALESCE(sent_ms, 0) < ?');
  const depth = db.prepare<[], number>('SELECT COUNT(*) FROM push_pending WHERE count > 0').pluck();

  const enqueueAll = db.transaction((items: readonly PushItem[], nowMs: number, delayMs: number, minIntervalMs: number) => {
    // rows locked in one order by every writer (PostgreSQL, enqueueTimeline too): no lock cycles between them
    for (const item of [...items].sort(byRecipient)) {
      upsert.run({ ...item, mention: MENTION_RANK[item.mention], dueMs: nowMs + delayMs, minIntervalMs });
    }
  });

  return {
    enqueue: (items, nowMs, delayMs, minIntervalMs) => enqueueAll(items, nowMs, delayMs, minIntervalMs),
    enqueueTimeline(item, nowMs, delayMs, minIntervalMs) {
      if (item.userIds.length === 0) return;
      // the statement takes the rows in user order, as enqueue does, so writers never deadlock
      const userIds = JSON.stringify(item.userIds);
      upsertTimeline.run({ ...item, userIds, dueMs: nowMs + delayMs, minIntervalMs });
    },
    due(nowMs, limit, claimMs, skipApps = []) {
      const skip = JSON.stringify(skipApps);
      const rows =
        claimDue !== undefined
          ? claimDue.all({ nowMs, limit, until: nowMs + claimMs, skipApps: skip }).sort((a, b) => a.due_ms - b.due_ms)
          : due.all({ nowMs, limit, skipApps: skip });
      return rows.map(toPending);
    },
    nextDue: (limit, skipApps) =>
      nextDue.all({ limit, skipApps: JSON.stringify(skipApps) }).map((row) => ({ appId: row.app_id, userId: row.user_id, dueMs: Number(row.due) })),
    unclaim: (push) => {
      if (claimDue !== undefined) release.run(push.appId, push.userId);
    },
    sent: (push, nowMs, minIntervalMs) => void sent.run({ count: push.count, nowMs, minIntervalMs, appId: push.appId, userId: push.userId }),
    retryAt: (push, dueMs) => void retry.run(dueMs, push.appId, push.userId),
    // a message merged after the decision keeps its row pending
    drop: (push) => {
      drop.run(push.appId, push.userId, push.maxSeq, push.count);
      // a message merged after the decision keeps its row pending: for any node to take
      release.run(push.appId, push.userId);
    },
    sweep: (nowMs, minIntervalMs) => void sweep.run(nowMs - minIntervalMs),
    depth: () => depth.get() ?? 0,
  };
}

function byRecipient(a: PushItem, b: PushItem): number {
  return a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

function toPending(row: Row): PendingPush {
  return {
    appId: row.app_id,
    userId: row.user_id,
    count: row.count,
    maxSeq: row.max_seq,
    sender: row.sender,
    senderNickname: row.sender_nickname,
    conversation: row.conversation,
    preview: row.preview,
    mention: mentionOfRank(row.mention),
    timeline: row.timeline_group === null || row.timeline_seq === null ? null : { groupId: row.timeline_group, seq: row.timeline_seq },
    dueMs: row.due_ms,
    attempts: row.attempts,
  };
}
