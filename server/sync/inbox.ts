import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { greatest, least, type SqlDatabase } from '../storage/sql-database';
import { pb } from '../../protocol';
import { CONTENT_LIMITS } from '../chat/content-limits';
import type { BatchHooks } from '../storage/write-batch';
import { entrySizeBound, messageOfRow, type StoredEntryRow } from './stored-entry-row';
import { createMultiRowInsert } from '../storage/multi-row-insert';

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

/** A user's head during a batch: the seq last given, read from the table once. */
interface BatchHead {
  readonly appId: string;
  readonly userId: string;
  maxSeq: number;
  dirty: boolean;
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
  // The head a batch starts from. On SQLite one writer holds the whole database, so a read is
  // enough. On PostgreSQL other nodes write the same inboxes: the head row is locked until the
  // batch commits (an upsert that changes nothing, so a missing row is made without a race), and a
  // second node's batch waits for it, then reads the new head. Seqs stay gap-free and unique; a
  // deadlock between two batches is run again by the write batch.
  const batchStartHead =
    db.dialect === 'postgres'
      ? db
          .prepare<[string, string], number>(`
            INSERT INTO inbox_heads (app_id, user_id, max_seq, confirmed_seq) VALUES (?, ?, 0, 0)
            ON CONFLICT (app_id, user_id) DO UPDATE SET max_seq = inbox_heads.max_seq
            RETURNING max_seq`)
          .pluck()
      : db.prepare<[string, string], number>('SELECT max_seq FROM inbox_heads WHERE app_id = ? AND user_id = ?').pluck();

  /** Set while a write batch runs: heads and rows kept until its flush. */
  let batch: { heads: Map<string, BatchHead>; rows: InboxRowValues[] } | undefined;
  /**
   * The heads the runs of this batch read so far: a rerun after a deadlock locks them all first,
   * in key order, so by the second rerun the batch takes every lock it needs in one fixed order.
   */
  let headsSeen = new Map<string, { appId: string; userId: string }>();

  function beginBatch(rerun: boolean): void {
    batch = { heads: new Map(), rows: [] };
    if (!rerun) headsSeen = new Map();
    if (!rerun || db.dialect !== 'postgres') return;
    // two reruns that lock in the same order cannot deadlock each other
    const ordered = [...headsSeen.keys()].sort();
    for (const key of ordered) {
      const { appId, userId } = headsSeen.get(key)!;
      batch.heads.set(`${appId}\u0000${userId}`, { appId, userId, maxSeq: batchStartHead.get(appId, userId) ?? 0, dirty: false });
    }
  }

  function reserveSeq(appId: string, userId: string): number {
    if (batch === undefined) return nextSeq.get(appId, userId)!.max_seq;
    const key = `${appId}\u0000${userId}`;
    let head = batch.heads.get(key);
    if (head === undefined) {
      head = { appId, userId, maxSeq: batchStartHead.get(appId, userId) ?? 0, dirty: false };
      batch.heads.set(key, head);
    }
    head.maxSeq++;
    head.dirty = true;
    return head.maxSeq;
  }

  function insert(values: InboxRowValues): void {
    if (batch === undefined) insertRow.run(...values);
    else batch.rows.push(values);
  }

  /** Writes the batch's rows and heads; a read during a batch calls it first, so it sees them. */
  function flushBatch(): void {
    if (batch === undefined) return;
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
      return { userId, entry: create(pb.EntrySchema, { seq: BigInt(seq), item: { case: 'message', value: item.message } }) };
    }
    insert([appId, userId, seq, KIND[item.case], null, 0, stored ?? encodedItem(item)]);
    return { userId, entry: create(pb.EntrySchema, { seq: BigInt(seq), item: { case: item.case, value: item.value } as pb.Entry['item'] }) };
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

  return { append, reserveSeq, appendAt, head, page, confirm, batchHooks };
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
