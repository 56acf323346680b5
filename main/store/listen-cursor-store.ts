import type { Database, Statement } from 'better-sqlite3';
import { messageFromRow, type MessageRow, type StoredMessage } from './message-record';
import { noticeFromRow, type NoticeRow, type StoredNotice } from './notice-store';

/** How far the CLI's `listen` has printed (migration 0011). */
export interface ListenCursor {
  /** Every incoming message stored at or below this local id is printed or was passed over. */
  readonly messageMark: number;
  /** Every notice at or below this seq is printed or was passed over. */
  readonly noticeMark: number;
  /** The profile had never synced when its first listen began: its first catch-up is history, not news. */
  readonly historyPending: boolean;
}

/** A printable item: an incoming message by local id ('m'), a notice by seq ('n'). */
export interface ListenItemRef {
  readonly kind: 'm' | 'n';
  readonly id: number;
}

/** Unprinted items from one end of the chat's time order, ties at the cut included (see unprinted()). */
export interface UnprintedItems {
  readonly messages: StoredMessage[];
  readonly notices: StoredNotice[];
}

/**
 * The printed-up-to cursor of `listen`. Rows are stored in local_id (and notice seq) order, but
 * printed in the chat's time order, so the cursor is a mark per kind plus the few items printed
 * above it; the mark rises past an item only once everything at or below it is printed.
 */
export interface ListenCursorStore {
  get(): ListenCursor | undefined;
  /**
   * The cursor, made on the profile's first listen: on a profile that never synced, below
   * everything, with the history still to be cut; on one that synced before (another command,
   * or before the cursor existed), at what is stored now, so what is news starts with this run.
   */
  open(nowMs: number): ListenCursor;
  /**
   * Up to limit unprinted items by time from the oldest (or the newest) end, per kind, plus every
   * item of the kind that shares the time of the last one: the first `limit` in the chat's order
   * are among them (the order is by time first). The caller sorts and cuts.
   */
  unprinted(end: 'oldest' | 'newest', limit: number): UnprintedItems;
  /** Records items as printed (one transaction), raising the marks as far as nothing unprinted lies below. */
  markPrinted(items: readonly ListenItemRef[], nowMs: number): void;
  /**
   * Ends the history's cut: every unprinted item stored now but `keep` counts as printed, and
   * history_pending is cleared, in one transaction.
   */
  passOver(keep: readonly ListenItemRef[], nowMs: number): void;
  /** Ends the history's cut with nothing passed over (a listen without --count prints it all). */
  endHistory(nowMs: number): void;
}

interface Page<Row> {
  readonly first: Statement<{ mark: number; limit: number }, Row>;
  readonly tied: Statement<{ mark: number; timeMs: number }, Row>;
}

const lowest = (ids: readonly number[]): number => ids.reduce((a, b) => Math.min(a, b));

const UNPRINTED_MESSAGE = `local_id > @mark AND outgoing = 0 AND deleted = 0
  AND NOT EXISTS (SELECT 1 FROM listen_printed p WHERE p.kind = 'm' AND p.id = messages.local_id)`;
const UNPRINTED_NOTICE = `seq > @mark AND NOT EXISTS (SELECT 1 FROM listen_printed p WHERE p.kind = 'n' AND p.id = notices.seq)`;

export function createListenCursorStore(db: Database): ListenCursorStore {
  const read = db.prepare<[], { message_mark: number; notice_mark: number; history_pending: number }>(
    'SELECT message_mark, notice_mark, history_pending FROM listen_cursor WHERE id = 1',
  );
  const neverSynced = db.prepare<[], number>('SELECT applied_seq = 0 FROM sync_state WHERE id = 1').pluck();
  const maxMessage = db.prepare<[], number>('SELECT coalesce(max(local_id), 0) FROM messages').pluck();
  const maxNotice = db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM notices').pluck();
  const create = db.prepare(`
    INSERT INTO listen_cursor (id, message_mark, notice_mark, history_pending, updated_ms) VALUES (1, ?, ?, ?, ?)`);
  const page = <Row extends { time_ms: number }>(table: 'messages' | 'notices', where: string, direction: 'ASC' | 'DESC'): Page<Row> => ({
    first: db.prepare<{ mark: number; limit: number }, Row>(`SELECT * FROM ${table} WHERE ${where} ORDER BY time_ms ${direction} LIMIT @limit`),
    tied: db.prepare<{ mark: number; timeMs: number }, Row>(`SELECT * FROM ${table} WHERE ${where} AND time_ms = @timeMs`),
  });
  const pages = {
    oldest: { messages: page<MessageRow>('messages', UNPRINTED_MESSAGE, 'ASC'), notices: page<NoticeRow>('notices', UNPRINTED_NOTICE, 'ASC') },
    newest: { messages: page<MessageRow>('messages', UNPRINTED_MESSAGE, 'DESC'), notices: page<NoticeRow>('notices', UNPRINTED_NOTICE, 'DESC') },
  };
  const printed = db.prepare('INSERT OR IGNORE INTO listen_printed (kind, id) VALUES (?, ?)');
  // the first unprinted row above the mark: a walk up the primary key that stops at it
  const firstUnprinted = {
    m: db.prepare<{ mark: number }, number>(`SELECT local_id FROM messages WHERE ${UNPRINTED_MESSAGE} ORDER BY local_id LIMIT 1`).pluck(),
    n: db.prepare<{ mark: number }, number>(`SELECT seq FROM notices WHERE ${UNPRINTED_NOTICE} ORDER BY seq LIMIT 1`).pluck(),
  };
  const maxPrinted = db.prepare<[string], number | null>('SELECT max(id) FROM listen_printed WHERE kind = ?').pluck();
  const dropBelow = db.prepare('DELETE FROM listen_printed WHERE kind = ? AND id <= ?');
  const setMarks = db.prepare('UPDATE listen_cursor SET message_mark = ?, notice_mark = ?, updated_ms = ? WHERE id = 1');
  const historyDone = db.prepare('UPDATE listen_cursor SET history_pending = 0, updated_ms = ? WHERE id = 1');
  const passOverStmt = {
    m: db.prepare(`INSERT OR IGNORE INTO listen_printed (kind, id)
      SELECT 'm', local_id FROM messages WHERE ${UNPRINTED_MESSAGE} AND local_id <= @upTo
        AND local_id NOT IN (SELECT value FROM json_each(@keep))`),
    n: db.prepare(`INSERT OR IGNORE INTO listen_printed (kind, id)
      SELECT 'n', seq FROM notices WHERE ${UNPRINTED_NOTICE} AND seq <= @upTo
        AND seq NOT IN (SELECT value FROM json_each(@keep))`),
  };

  const get = (): ListenCursor | undefined => {
    const row = read.get();
    return row && { messageMark: row.message_mark, noticeMark: row.notice_mark, historyPending: row.history_pending === 1 };
  };
  // a mark rises to just below the first unprinted row, or to the last printed when none is left
  const raisedMark = (kind: 'm' | 'n', mark: number): number => {
    const first = firstUnprinted[kind].get({ mark });
    const next = first === undefined ? (maxPrinted.get(kind) ?? mark) : first - 1;
    return Math.max(mark, next);
  };
  const compact = (nowMs: number): void => {
    const cursor = get()!;
    const messageMark = raisedMark('m', cursor.messageMark);
    const noticeMark = raisedMark('n', cursor.noticeMark);
    if (messageMark === cursor.messageMark && noticeMark === cursor.noticeMark) return;
    setMarks.run(messageMark, noticeMark, nowMs);
    dropBelow.run('m', messageMark);
    dropBelow.run('n', noticeMark);
  };
  const unprintedOf = <Row extends { time_ms: number }, T>(statements: Page<Row>, mark: number, limit: number, key: (row: Row) => number, fromRow: (row: Row) => T): T[] => {
    const rows = statements.first.all({ mark, limit });
    if (rows.length === limit && limit > 0) {
      const seen = new Set(rows.map(key));
      for (const row of statements.tied.all({ mark, timeMs: rows[rows.length - 1]!.time_ms })) if (!seen.has(key(row))) rows.push(row);
    }
    return rows.map(fromRow);
  };

  return {
    get,
    open(nowMs) {
      return db.transaction(() => {
        const existing = get();
        if (existing) return existing;
        if (neverSynced.get() === 1) create.run(0, 0, 1, nowMs);
        else create.run(maxMessage.get(), maxNotice.get(), 0, nowMs);
        return get()!;
      })();
    },
    unprinted(end, limit) {
      const cursor = get();
      if (!cursor) return { messages: [], notices: [] };
      const at = pages[end];
      return {
        messages: unprintedOf(at.messages, cursor.messageMark, limit, (row) => row.local_id, messageFromRow),
        notices: unprintedOf(at.notices, cursor.noticeMark, limit, (row) => row.seq, noticeFromRow),
      };
    },
    markPrinted(items, nowMs) {
      db.transaction(() => {
        for (const item of items) printed.run(item.kind, item.id);
        compact(nowMs);
      })();
    },
    passOver(keep, nowMs) {
      db.transaction(() => {
        const cursor = get();
        if (!cursor) return;
        const kept = (kind: 'm' | 'n'): number[] => keep.filter((item) => item.kind === kind).map((item) => item.id);
        const m = kept('m');
        const n = kept('n');
        const upToMessage = maxMessage.get()!;
        const upToNotice = maxNotice.get()!;
        // below the oldest kept (or the newest stored) everything is passed over: the mark says so
        const messageMark = Math.max(cursor.messageMark, m.length > 0 ? lowest(m) - 1 : upToMessage);
        const noticeMark = Math.max(cursor.noticeMark, n.length > 0 ? lowest(n) - 1 : upToNotice);
        setMarks.run(messageMark, noticeMark, nowMs);
        dropBelow.run('m', messageMark);
        dropBelow.run('n', noticeMark);
        // above it, each one passed over is recorded as printed
        passOverStmt.m.run({ mark: messageMark, upTo: upToMessage, keep: JSON.stringify(m) });
        passOverStmt.n.run({ mark: noticeMark, upTo: upToNotice, keep: JSON.stringify(n) });
        historyDone.run(nowMs);
        compact(nowMs);
      })();
    },
    endHistory(nowMs) {
      historyDone.run(nowMs);
    },
  };
}
