import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { greatest, least, type SqlDatabase } from '../storage/sql-database';
import { pb } from '../../protocol';
import { CONTENT_LIMITS } from '../chat/content-limits';
import type { BatchHooks } from '../storage/write-batch';
import { entrySizeBound, messageOfRow, type StoredEntryRow } from './stored-entry-row';
import { createMultiRowInsert, MULTI_ROW_INSERT_ROWS } from '../storage/multi-row-insert';

/**
 * The per-user seq inbox (DESIGN.md "Sync"): every message, notice and receipt a user must see
 * gets the next seq in that user's inbox. A message is stored once in `messages` and referenced
 * here; every other item is stored as its encoded Entry. Appends run inside the caller's
 * transaction, so a message and all its inbox rows commit together or not at all.
 */

/** What an inbox row holds; `message` rows reference a stored message by id. */
export type InboxItem =
  | { readonly case: 'message'; readonly message: pb.Message; readonly own: boolean }
  | { readonly case: 'notice'; readonly value: pb.Notice }
  | { readonly case: 'revoked'; readonly value: pb.Revoked }
  | { readonly case: 'read'; readonly value: pb.ReadReceipt }
  | { readonly case: 'burned'; readonly value: pb.Burned };

/** Inbox head keys kept made (about 60 bytes each). */
const MAX_REMEMBERED_HEAD_KEYS = 50_000;

const KIND = { message: 1, notice: 2, revoked: 3, read: 4, burned: 5 } as const;

/** One appended row: who got it and the entry with its seq, ready to push. */
export interface Appended {
  readonly userId: string;
  readonly entry: pb.Entry;
}

export interface InboxHead {
  readonly maxSeq: number;
  readonly confirmedSeq: number;
}

export interface InboxPage {
  readonly entries: pb.Entry[];
  readonly maxSeq: number;
  readonly more: boolean;
}

export interface InboxStore {
  /** Appends one item to each user's inbox. Call inside a transaction. */
  append(appId: string, userIds: readonly string[], item: InboxItem): Appended[];
  /** Takes the user's next seq, for an item appended with appendAt. Call inside a transaction. */
  reserveSeq(appId: string, userId: string): number;
  /**
   * The final value of a seq reserveSeq gave during a write batch (on PostgreSQL a batch's seqs
   * are settled at its flush; the entries append returns are moved there too). Call inside the batch.
   */
  settledSeq(appId: string, userId: string, seq: number): number;
  /** Appends an item at a seq reserveSeq gave. Call inside the same transaction. */
  appendAt(appId: string, userId: string, seq: number, item: InboxItem): Appended;
  head(appId: string, userId: string): InboxHead;
  /**
   * Entries after `afterSeq`: at most `limit`, and at most `maxBytes` encoded (always at least one;
   * a message stored above the content bound is sent as a withheld shell, so one entry always fits).
   */
  page(appId: string, userId: string, afterSeq: number, limit: number, maxBytes: number): InboxPage;
  /** Stores the confirmed seq; it only moves forward and never past the head. */
  confirm(appId: string, userId: string, seq: number): InboxHead;
  /**
   * For the write batch: during a batch each user's head is read once and kept in memory, the
   * rows are kept too, and both are written once at the batch's end (one multi-row INSERT, one
   * write per head) instead of an UPSERT and an INSERT per entry. Seqs stay gap-free: a batch that
   * rolls back forgets its heads with its rows.
   */
  readonly batchHooks: BatchHooks;
}

/**
 * A user's head during a batch: the seq last given. On SQLite it is read from the table once. On
 * PostgreSQL it is not read at all until the batch's flush (settled = false): the seqs given until
 * then count from 0, and the flush locks every such head in one statement, in key order, and adds
 * the head's real value to the rows and entries given from it (see settleHeads).
 */
interface BatchHead {
  readonly appId: string;
  readonly userId: string;
  maxSeq: number;
  dirty: boolean;
  settled: boolean;
  /** Once settled: the seqs given before (1..givenBeforeSettle) moved up by base. */
  base: number;
  givenBeforeSettle: number;
  /** Unsettled only: the rows and entries whose seq counts from 0 until the head is settled. */
  readonly rows: InboxRowValues[];
  readonly entries: pb.Entry[];
}

type InboxRowValues = [appId: string, userId: string, seq: number, kind: number, msgId: number | null, own: number, item: Uint8Array | null];

interface PageRow extends StoredEntryRow {
  own: number;
  client_msg_id: Buffer | null;
}


export function createInboxStore(db: SqlDatabase): InboxStore {
  const nextSeq = db.prepare<[string, string], { max_seq: number }>(`
    INSERT INTO inbox_heads (app_id, user_id, max_seq, confirmed_seq) VALUES (?, ?, 1, 0)
    ON CONFLICT (app_id, user_id) DO UPDATE SET max_seq = inbox_heads.max_seq + 1
    RETURNING max_seq`);
  const insertRow = db.prepare(
    'INSERT INTO inbox (app_id, user_id, seq, kind, msg_id, own, item) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const selectHead = db.prepare<[string, string], { max_seq: number; confirmed_seq: number }>(
    'SELECT max_seq, confirmed_seq FROM inbox_heads WHERE app_id = ? AND user_id = ?',
  );
  const selectPage = db.prepare<[string, string, number, number], PageRow>(`
    SELECT i.seq, i.kind, i.own, i.item, m.msg_id, m.type, m.burn, m.sender, m.target, m.time_ms, m.content, m.client_msg_id
    FROM inbox i LEFT JOIN messages m ON m.msg_id = i.msg_id
    WHERE i.app_id = ? AND i.user_id = ? AND i.seq > ?
    ORDER BY i.seq LIMIT ?`);
  const updateConfirmed = db.prepare(`
    UPDATE inbox_heads SET confirmed_seq = ${greatest(db)}(confirmed_seq, ${least(db)}(?, max_seq))
    WHERE app_id = ? AND user_id = ?`);
  const writeHead = db.prepare(`
    INSERT INTO inbox_heads (app_id, user_id, max_seq, confirmed_seq) VALUES (?, ?, ?, 0)
    ON CONFLICT (app_id, user_id) DO UPDATE SET max_seq = excluded.max_seq`);
  const insertRows = createMultiRowInsert(db, 'INSERT INTO inbox (app_id, user_id, seq, kind, msg_id, own, item) VALUES', 7);
  // The head a batch starts from, on SQLite: one writer holds the whole database, a read is enough.
  const batchStartHead = db.prepare<[string, string], number>('SELECT max_seq FROM inbox_heads WHERE app_id = ? AND user_id = ?').pluck();
  // On PostgreSQL other nodes write the same inboxes: each head a batch gives seqs from is locked
  // until the batch commits. Two batches that took their locks in different orders would deadlock
  // (found only after deadlock_timeout, with both event loops waiting), so every head of a batch
  // is locked by one statement, in key order (an INSERT's rows take their locks in the order
  // listed); a missing head is made by the same upsert, without a race. It adds the seqs the batch
  // gave and returns the new head.
  const lockHeads = db.dialect === 'postgres' ? createHeadLocker(db) : undefined;

  /** Set while a write batch runs: heads and rows kept until its flush. */
  let batch: { heads: Map<string, BatchHead>; rows: InboxRowValues[] } | undefined;
  /**
   * The heads the runs of this batch read so far: a rerun after a deadlock (a read in the middle
   * of a batch settles the heads given so far, so a batch may lock in two steps) locks them all
   * first, in key order.
   */
  let headsSeen = new Map<string, { appId: string; userId: string }>();

  function newHead(appId: string, userId: string, maxSeq: number, settled: boolean): BatchHead {
    return { appId, userId, maxSeq, dirty: false, settled, base: 0, givenBeforeSettle: 0, rows: [], entries: [] };
  }

  function beginBatch(rerun: boolean): void {
    batch = { heads: new Map(), rows: [] };
    if (!rerun) headsSeen = new Map();
    if (!rerun || lockHeads === undefined) return;
    for (const [key, { appId, userId }] of headsSeen) batch.heads.set(key, newHead(appId, userId, 0, false));
    settleHeads();
  }

  /** PostgreSQL: locks the unsettled heads (key order) and moves what was given from them onto their real seqs. */
  function settleHeads(): void {
    if (batch === undefined || lockHeads === undefined) return;
    const unsettled = [...batch.heads.entries()].filter(([, head]) => !head.settled).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (unsettled.length === 0) return;
    const newHeads = lockHeads(unsettled.map(([, head]) => head));
    unsettled.forEach(([, head], index) => {
      const base = newHeads[index]! - head.maxSeq;
      for (const row of head.rows) row[2] += base;
      for (const entry of head.entries) entry.seq += BigInt(base);
      head.rows.length = 0;
      head.entries.length = 0;
      head.base = base;
      head.givenBeforeSettle = head.maxSeq;
      head.maxSeq = newHeads[index]!;
      head.settled = true;
      // written by the lock's upsert
      head.dirty = false;
    });
  }

  /**
   * The heads' keys, each made once: a key made afresh on every message had its hash computed
   * every time it was looked up (a few % of a burst). Forgotten when it holds too many.
   */
  let headKeys = new Map<string, Map<string, string>>();
  let headKeyCount = 0;
  function headKey(appId: string, userId: string): string {
    let key = headKeys.get(appId)?.get(userId);
    if (key !== undefined) return key;
    if (headKeyCount >= MAX_REMEMBERED_HEAD_KEYS) {
      headKeys = new Map();
      headKeyCount = 0;
    }
    let ofApp = headKeys.get(appId);
    if (ofApp === undefined) {
      ofApp = new Map();
      headKeys.set(appId, ofApp);
    }
    key = `${appId}\u0000${userId}`;
    ofApp.set(userId, key);
    headKeyCount++;
    return key;
  }

  function batchHead(appId: string, userId: string): BatchHead {
    const key = headKey(appId, userId);
    let head = batch!.heads.get(key);
    if (head === undefined) {
      head = lockHeads === undefined ? newHead(appId, userId, batchStartHead.get(appId, userId) ?? 0, true) : newHead(appId, userId, 0, false);
      batch!.heads.set(key, head);
    }
    return head;
  }

  function reserveSeq(appId: string, userId: string): number {
    if (batch === undefined) return nextSeq.get(appId, userId)!.max_seq;
    const head = batchHead(appId, userId);
    head.maxSeq++;
    head.dirty = true;
    return head.maxSeq;
  }

  /**
   * The seq a store wrote down during the batch (the sender's seq of a message row), on the head's
   * real value; settles the heads first. The same number on SQLite and once settled.
   */
  function settledSeq(appId: string, userId: string, seq: number): number {
    if (batch === undefined || lockHeads === undefined) return seq;
    const head = batch.heads.get(headKey(appId, userId));
    if (head === undefined) return seq;
    settleHeads();
    // a seq given after the settling is real already, and above every seq given before it
    return seq <= head.givenBeforeSettle ? seq + head.base : seq;
  }

  function insert(values: InboxRowValues): void {
    if (batch === undefined) {
      insertRow.run(...values);
      return;
    }
    batch.rows.push(values);
    if (lockHeads === undefined) return;
    const head = batch.heads.get(headKey(values[0], values[1]));
    if (head !== undefined && !head.settled) head.rows.push(values);
  }

  /** An entry given during the batch, moved with its head's rows when the head is settled. */
  function given(appended: Appended, appId: string): Appended {
    if (batch === undefined || lockHeads === undefined) return appended;
    const head = batch.heads.get(headKey(appId, appended.userId));
    if (head !== undefined && !head.settled) head.entries.push(appended.entry);
    return appended;
  }

  /** Writes the batch's rows and heads; a read during a batch calls it first, so it sees them. */
  function flushBatch(): void {
    if (batch === undefined) return;
    settleHeads();
    insertRows(batch.rows);
    batch.rows = [];
    for (const head of batch.heads.values()) {
      if (!head.dirty) continue;
      writeHead.run(head.appId, head.userId, head.maxSeq);
      head.dirty = false;
    }
  }

  function appendAt(appId: string, userId: string, seq: number, item: InboxItem, stored?: Uint8Array): Appended {
    if (item.case === 'message') {
      insert([appId, userId, seq, KIND.message, Number(item.message.msgId), item.own ? 1 : 0, null]);
      // the entry `create` would make, written out (as validate-send.ts does, for the same reason)
      const entry: pb.Entry = { $typeName: pb.EntrySchema.typeName, seq: BigInt(seq), item: { case: 'message', value: item.message }, groupId: '' };
      return given({ userId, entry }, appId);
    }
    insert([appId, userId, seq, KIND[item.case], null, 0, stored ?? encodedItem(item)]);
    return given({ userId, entry: create(pb.EntrySchema, { seq: BigInt(seq), item: { case: item.case, value: item.value } as pb.Entry['item'] }) }, appId);
  }

  function append(appId: string, userIds: readonly string[], item: InboxItem): Appended[] {
    // encoded once for every receiver: the seq lives in the row, not in the bytes
    const stored = item.case === 'message' ? undefined : encodedItem(item);
    return userIds.map((userId) => appendAt(appId, userId, reserveSeq(appId, userId), item, stored));
  }

  function head(appId: string, userId: string): InboxHead {
    flushBatch();
    const row = selectHead.get(appId, userId);
    return row === undefined ? { maxSeq: 0, confirmedSeq: 0 } : { maxSeq: row.max_seq, confirmedSeq: row.confirmed_seq };
  }

  function page(appId: string, userId: string, afterSeq: number, limit: number, maxBytes: number): InboxPage {
    const maxSeq = head(appId, userId).maxSeq;
    // head() wrote what a running batch kept
    const rows = selectPage.all(appId, userId, afterSeq, limit);
    const entries: pb.Entry[] = [];
    let bytes = 0;
    for (const row of rows) {
      // stored before content was bounded (or by a bug): sending it would break the client's limits
      const withheld = row.kind === KIND.message && (row.content?.length ?? 0) > CONTENT_LIMITS.maxStoredMessageBytes;
      const size = entrySizeBound(row, withheld, row.client_msg_id?.length ?? 0);
      if (entries.length > 0 && bytes + size > maxBytes) break;
      bytes += size;
      entries.push(entryOf(row, userId, withheld));
    }
    const lastSeq = entries.length === 0 ? afterSeq : Number(entries.at(-1)!.seq);
    return { entries, maxSeq, more: lastSeq < maxSeq };
  }

  function confirm(appId: string, userId: string, seq: number): InboxHead {
    flushBatch();
    updateConfirmed.run(seq, appId, userId);
    return head(appId, userId);
  }

  const batchHooks: BatchHooks = {
    begin: (rerun) => beginBatch(rerun === true),
    flush: flushBatch,
    discard: () => {
      if (batch === undefined) return;
      for (const [key, head] of batch.heads) headsSeen.set(key, { appId: head.appId, userId: head.userId });
      batch = { heads: new Map(), rows: [] };
    },
    end: () => {
      for (const [key, head] of batch?.heads ?? []) headsSeen.set(key, { appId: head.appId, userId: head.userId });
      batch = undefined;
    },
  };

  return { append, reserveSeq, settledSeq, appendAt, head, page, confirm, batchHooks };
}

function encodedItem(item: Exclude<InboxItem, { case: 'message' }>): Uint8Array {
  return toBinary(pb.EntrySchema, create(pb.EntrySchema, { item: { case: item.case, value: item.value } as pb.Entry['item'] }));
}


function entryOf(row: PageRow, userId: string, withheld: boolean): pb.Entry {
  if (row.kind === KIND.message) {
    const message = messageOfRow(row, withheld);
    // as pushed: a one-to-one message in its recipient's own inbox leaves `to` out
    if (row.own === 1 || row.target !== userId) message.to = row.target ?? '';
    if (row.own === 1 && row.client_msg_id !== null) message.clientMsgId = new Uint8Array(row.client_msg_id);
    return create(pb.EntrySchema, { seq: BigInt(row.seq), item: { case: 'message', value: message } });
  }
  const entry = fromBinary(pb.EntrySchema, row.item ?? new Uint8Array(0));
  entry.seq = BigInt(row.seq);
  return entry;
}

/**
 * PostgreSQL: locks heads in the order given (key order) with one upsert per chunk, adding each
 * head's seqs given in the batch (maxSeq, counted from 0), and returns the new heads in that order.
 */
function createHeadLocker(db: SqlDatabase): (heads: readonly { appId: string; userId: string; maxSeq: number }[]) => number[] {
  const statements = new Map<number, ReturnType<typeof db.prepare<unknown[], { app_id: string; user_id: string; max_seq: number }>>>();
  function statementFor(rows: number) {
    let statement = statements.get(rows);
    if (statement === undefined) {
      statement = db.prepare<unknown[], { app_id: string; user_id: string; max_seq: number }>(`
        INSERT INTO inbox_heads (app_id, user_id, max_seq, confirmed_seq)
        VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, 0)').join(', ')}
        ON CONFLICT (app_id, user_id) DO UPDATE SET max_seq = inbox_heads.max_seq + excluded.max_seq
        RETURNING app_id, user_id, max_seq`);
      statements.set(rows, statement);
    }
    return statement;
  }
  return (heads) => {
    const result: number[] = [];
    for (let start = 0; start < heads.length; start += MULTI_ROW_INSERT_ROWS) {
      const chunk = heads.slice(start, start + MULTI_ROW_INSERT_ROWS);
      const rows = statementFor(chunk.length).all(chunk.flatMap((head) => [head.appId, head.userId, head.maxSeq]));
      const byKey = new Map(rows.map((row) => [`${row.app_id}\u0000${row.user_id}`, row.max_seq]));
      for (const head of chunk) result.push(byKey.get(`${head.appId}\u0000${head.userId}`)!);
    }
    return result;
  };
}
