import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { greatest, least, type SqlDatabase } from '../storage/sql-database';
import { pb } from '../../protocol';
import type { BatchHooks } from '../storage/write-batch';
import { pgError } from '../storage/pg/pg-errors';
import { CONTENT_LIMITS } from '../chat/content-limits';
import { entrySizeBound, messageOfRow, type StoredEntryRow } from '../sync/stored-entry-row';

/**
 * Group timelines (read diffusion, migration 0009): a large group's messages and revokes stored
 * once, each with the next seq of the group's own timeline. A member reads the parts of it that
 * fall in the member's ranges (from the join on, up to the leave); the ranges are kept by triggers
 * on group_members. Appends run inside the caller's transaction.
 */

const KIND = { message: 1, revoked: 3 } as const;

/**
 * How far back from a timeline's head a resend's message is looked for (seqOfMessage): the table
 * has no index by message id, so the search is a bounded walk back along the timeline's key. A
 * resend comes on the next connection, seconds after the first SEND; a message further back than
 * this is answered without its timeline seq (0), and the client pulls it, as from a 2.0 server.
 */
export const RESEND_TIMELINE_SEARCH_ENTRIES = 1000;

export interface TimelineSlicePage {
  readonly groupId: string;
  readonly entries: pb.Entry[];
  /** The newest seq of this timeline the reader may read. */
  readonly maxSeq: number;
  readonly more: boolean;
}

export interface TimelinePageResult {
  readonly slices: TimelineSlicePage[];
  readonly more: boolean;
}

export interface TimelineStore {
  /** Whether the group is read-diffused. */
  has(appId: string, groupId: string): boolean;
  /**
   * Makes the group read-diffused when it has at least `threshold` members: its timeline starts at
   * seq 0 and every current member may read it from the start. Returns whether it is (now).
   * Call inside a transaction.
   */
  ensure(appId: string, groupId: string, memberCount: number, threshold: number, timeMs: number): boolean;
  /** Appends a stored message; returns its timeline seq. Call inside a transaction. */
  appendMessage(appId: string, groupId: string, msgId: number): number;
  /**
   * The timeline seq of a stored message of the group, for the SENT of its resend; 0 when it is not
   * among the last RESEND_TIMELINE_SEARCH_ENTRIES entries (or was stored before the group crossed).
   */
  seqOfMessage(appId: string, groupId: string, msgId: number): number;
  /** Appends a revoke; returns its entry, seq and group set. Call inside a transaction. */
  appendRevoked(appId: string, groupId: string, revoked: pb.Revoked): pb.Entry;
  /** The timelines the reader may read, after the reader's cursors (a group not named: from 0). */
  page(appId: string, userId: string, cursors: ReadonlyMap<string, number>, limit: number, maxBytes: number): TimelinePageResult;
  /** Stores what the reader's devices confirmed; only forward, never past what the reader may read. */
  confirm(appId: string, userId: string, groupId: string, seq: number): void;
  /** The confirmed seq of one of the reader's timelines (0: none). */
  confirmed(appId: string, userId: string, groupId: string): number;
  /** How far each of the reader's timelines was copied to the reader's inbox (for 2.0 clients). */
  copiedCursors(appId: string, userId: string): Map<string, number>;
  /** Records how far a timeline was copied. Call inside the copy's transaction. */
  setCopied(appId: string, userId: string, groupId: string, seq: number): void;
  /**
   * For the write batch (PostgreSQL): a timeline head is locked when a SEND reaches it, so two
   * heads in one batch could be locked in opposite orders by two nodes. A batch that holds one
   * head takes the next without waiting (NOWAIT); taken by another node, the batch runs again
   * (as after a deadlock, at once instead of after deadlock_timeout) and the rerun locks every
   * head seen first, in key order.
   */
  readonly batchHooks: BatchHooks;
}

interface RangeRow {
  group_id: string;
  from_seq: number;
  until_seq: number | null;
  head: number;
}

export function createTimelineStore(db: SqlDatabase): TimelineStore {
  const selectHead = db
    .prepare<[string, string], number>('SELECT max_seq FROM group_timelines WHERE app_id = ? AND group_id = ?')
    .pluck();
  const insertHead = db.prepare('INSERT INTO group_timelines (app_id, group_id, max_seq, created_ms) VALUES (?, ?, 0, ?)');
  // every current member reads from the start; the trigger opens ranges only for later joins
  const openRangesForMembers = db.prepare(`
    INSERT INTO timeline_access (app_id, user_id, group_id, from_seq, until_seq)
    SELECT app_id, user_id, group_id, 0, NULL FROM group_members WHERE app_id = ? AND group_id = ?
    ON CONFLICT DO NOTHING`);
  const nextSeq = db
    .prepare<[string, string], number>(
      'UPDATE group_timelines SET max_seq = max_seq + 1 WHERE app_id = ? AND group_id = ? RETURNING max_seq',
    )
    .pluck();
  // newest first, along the primary key from the head down: the message is near the head
  const selectMessageSeq = db
    .prepare<[string, string, number, number], number>(
      'SELECT seq FROM group_timeline WHERE app_id = ? AND group_id = ? AND seq > ? AND kind = 1 AND msg_id = ? ORDER BY seq DESC LIMIT 1',
    )
    .pluck();
  const insertEntry = db.prepare('INSERT INTO group_timeline (app_id, group_id, seq, kind, msg_id, item) VALUES (?, ?, ?, ?, ?, ?)');
  const selectRanges = db.prepare<[string, string], RangeRow>(`
    SELECT a.group_id, a.from_seq, a.until_seq, t.max_seq AS head
    FROM timeline_access a JOIN group_timelines t ON t.app_id = a.app_id AND t.group_id = a.group_id
    WHERE a.app_id = ? AND a.user_id = ?
    ORDER BY a.group_id, a.from_seq`);
  const selectGroupMax = db
    .prepare<[string, string, string], number | null>(`
      SELECT MAX(${least(db)}(t.max_seq, COALESCE(a.until_seq, t.max_seq)))
      FROM timeline_access a JOIN group_timelines t ON t.app_id = a.app_id AND t.group_id = a.group_id
      WHERE a.app_id = ? AND a.user_id = ? AND a.group_id = ?`)
    .pluck();
  const selectEntries = db.prepare<[string, string, number, number, number], StoredEntryRow>(`
    SELECT e.seq, e.kind, e.item, m.msg_id, m.type, m.burn, m.sender, m.target, m.time_ms, m.content
    FROM group_timeline e LEFT JOIN messages m ON m.msg_id = e.msg_id
    WHERE e.app_id = ? AND e.group_id = ? AND e.seq > ? AND e.seq <= ?
    ORDER BY e.seq LIMIT ?`);
  const upsertConfirm = db.prepare(`
    INSERT INTO timeline_confirms (app_id, user_id, group_id, confirmed_seq) VALUES (?, ?, ?, ?)
    ON CONFLICT (app_id, user_id, group_id) DO UPDATE SET confirmed_seq = ${greatest(db)}(timeline_confirms.confirmed_seq, excluded.confirmed_seq)`);
  const selectConfirmed = db
    .prepare<[string, string, string], number>(
      'SELECT confirmed_seq FROM timeline_confirms WHERE app_id = ? AND user_id = ? AND group_id = ?',
    )
    .pluck();

  function has(appId: string, groupId: string): boolean {
    return selectHead.get(appId, groupId) !== undefined;
  }

  const lockNowait =
    db.dialect === 'postgres' ? db.prepare('SELECT 1 FROM group_timelines WHERE app_id = ? AND group_id = ? FOR UPDATE NOWAIT') : undefined;
  const lockWaiting =
    db.dialect === 'postgres' ? db.prepare('SELECT 1 FROM group_timelines WHERE app_id = ? AND group_id = ? FOR UPDATE') : undefined;
  /** The heads this batch's transaction holds, and those every run of the batch has touched. */
  let held: Set<string> | undefined;
  let seen = new Map<string, [string, string]>();

  function lockInOrder(appId: string, groupId: string): void {
    if (held === undefined || lockNowait === undefined) return;
    const key = `${appId}\u0000${groupId}`;
    if (held.has(key)) return;
    seen.set(key, [appId, groupId]);
    if (held.size > 0) {
      try {
        lockNowait.get(appId, groupId);
      } catch (error) {
        // another node holds it while this batch holds an earlier head: run the batch again
        if ((error as { sqlState?: string }).sqlState === '55P03') throw pgError('a group timeline head is locked by another node; the batch runs again', '40P01');
        throw error;
      }
    }
    held.add(key);
  }

  const batchHooks: BatchHooks = {
    begin(rerun) {
      held = new Set();
      if (!rerun) seen = new Map();
      if (!rerun || lockWaiting === undefined) return;
      for (const key of [...seen.keys()].sort()) {
        const [appId, groupId] = seen.get(key)!;
        lockWaiting.get(appId, groupId);
        held.add(key);
      }
    },
    flush: () => undefined,
    // a savepoint rolled back lets its locks go
    discard: () => {
      if (held !== undefined) held = new Set();
    },
    end: () => {
      held = undefined;
    },
  };

  function append(appId: string, groupId: string, kind: number, msgId: number | null, item: Uint8Array | null): number {
    lockInOrder(appId, groupId);
    const seq = nextSeq.get(appId, groupId);
    if (seq === undefined) throw new Error(`group ${groupId} has no timeline`);
    insertEntry.run(appId, groupId, seq, kind, msgId, item);
    return seq;
  }

  /** The reader's ranges, by group, each clipped to the timeline's head. */
  function rangesOf(appId: string, userId: string): Map<string, { from: number; until: number }[]> {
    const byGroup = new Map<string, { from: number; until: number }[]>();
    for (const row of selectRanges.all(appId, userId)) {
      const until = Math.min(row.head, row.until_seq ?? row.head);
      if (until <= row.from_seq) continue; // an empty range: joined and left at the same head
      const list = byGroup.get(row.group_id) ?? [];
      list.push({ from: row.from_seq, until });
      byGroup.set(row.group_id, list);
    }
    return byGroup;
  }

  function page(appId: string, userId: string, cursors: ReadonlyMap<string, number>, limit: number, maxBytes: number): TimelinePageResult {
    const slices: TimelineSlicePage[] = [];
    let entriesLeft = limit;
    let bytes = 0;
    let more = false;
    for (const [groupId, ranges] of rangesOf(appId, userId)) {
      const after = cursors.get(groupId) ?? 0;
      const maxSeq = ranges.reduce((max, r) => Math.max(max, r.until), 0);
      if (maxSeq <= after) continue;
      if (entriesLeft <= 0 || bytes >= maxBytes) {
        more = true;
        continue;
      }
      const entries: pb.Entry[] = [];
      let stopped = false;
      for (const range of ranges) {
        if (stopped) break;
        if (range.until <= after) continue;
        for (const row of selectEntries.all(appId, groupId, Math.max(after, range.from), range.until, entriesLeft)) {
          const withheld = row.kind === KIND.message && (row.content?.length ?? 0) > CONTENT_LIMITS.maxStoredMessageBytes;
          const size = entrySizeBound(row, withheld);
          // a page always carries at least one entry, so the reader always moves on
          if ((entries.length > 0 || slices.length > 0) && bytes + size > maxBytes) {
            stopped = true;
            break;
          }
          bytes += size;
          entries.push(entryOf(row, groupId, withheld));
          entriesLeft -= 1;
        }
        if (entriesLeft <= 0) stopped = true;
      }
      if (entries.length === 0 && stopped) {
        more = true;
        continue;
      }
      const last = entries.length === 0 ? after : Number(entries.at(-1)!.seq);
      // not more: the reader's cursor moves to maxSeq, past entries between ranges that are not the reader's
      const sliceMore = stopped && last < maxSeq;
      slices.push({ groupId, entries, maxSeq, more: sliceMore });
      if (sliceMore) more = true;
    }
    return { slices, more };
  }

  const selectCopied = db.prepare<[string, string], { group_id: string; copied_seq: number }>(
    'SELECT group_id, copied_seq FROM timeline_legacy_copies WHERE app_id = ? AND user_id = ?',
  );
  const upsertCopied = db.prepare(`
    INSERT INTO timeline_legacy_copies (app_id, user_id, group_id, copied_seq) VALUES (?, ?, ?, ?)
    ON CONFLICT (app_id, user_id, group_id) DO UPDATE SET copied_seq = ${greatest(db)}(timeline_legacy_copies.copied_seq, excluded.copied_seq)`);

  return {
    batchHooks,
    copiedCursors: (appId, userId) => new Map(selectCopied.all(appId, userId).map((r) => [r.group_id, r.copied_seq])),
    setCopied: (appId, userId, groupId, seq) => void upsertCopied.run(appId, userId, groupId, seq),
    has,
    ensure(appId, groupId, memberCount, threshold, timeMs) {
      if (has(appId, groupId)) return true;
      if (memberCount < threshold) return false;
      insertHead.run(appId, groupId, timeMs);
      openRangesForMembers.run(appId, groupId);
      return true;
    },
    appendMessage: (appId, groupId, msgId) => append(appId, groupId, KIND.message, msgId, null),
    seqOfMessage(appId, groupId, msgId) {
      const head = selectHead.get(appId, groupId);
      if (head === undefined) return 0;
      return selectMessageSeq.get(appId, groupId, Math.max(0, head - RESEND_TIMELINE_SEARCH_ENTRIES), msgId) ?? 0;
    },
    appendRevoked(appId, groupId, revoked) {
      const entry = create(pb.EntrySchema, { item: { case: 'revoked', value: revoked } });
      const seq = append(appId, groupId, KIND.revoked, null, toBinary(pb.EntrySchema, entry));
      entry.seq = BigInt(seq);
      entry.groupId = groupId;
      return entry;
    },
    page,
    confirm(appId, userId, groupId, seq) {
      // one group's ranges only: a confirm comes every few pushes from every member online
      const maxSeq = selectGroupMax.get(appId, userId, groupId) ?? null;
      if (maxSeq === null || maxSeq <= 0) return;
      upsertConfirm.run(appId, userId, groupId, Math.min(seq, maxSeq));
    },
    confirmed: (appId, userId, groupId) => selectConfirmed.get(appId, userId, groupId) ?? 0,
  };
}

/** A timeline entry as every member reads it: the same bytes for all, so it is pushed encoded once. */
export function timelineMessageEntry(seq: number, groupId: string, message: pb.Message): pb.Entry {
  return create(pb.EntrySchema, { seq: BigInt(seq), groupId, item: { case: 'message', value: message } });
}

function entryOf(row: StoredEntryRow, groupId: string, withheld: boolean): pb.Entry {
  if (row.kind === KIND.message) {
    const message = messageOfRow(row, withheld);
    message.to = row.target ?? '';
    return timelineMessageEntry(row.seq, groupId, message);
  }
  const entry = fromBinary(pb.EntrySchema, row.item ?? new Uint8Array(0));
  entry.seq = BigInt(row.seq);
  entry.groupId = groupId;
  return entry;
}
