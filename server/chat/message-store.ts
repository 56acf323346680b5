import { randomInt } from 'node:crypto';
import type { SqlDatabase } from '../storage/sql-database';
import { createMultiRowInsert } from '../storage/multi-row-insert';
import type { BatchHooks } from '../storage/write-batch';

/** One stored message as the rules see it (its content stays encoded). */
export interface StoredMessage {
  readonly msgId: number;
  readonly sender: string;
  readonly target: string;
  readonly isGroup: boolean;
  readonly type: number;
  readonly timeMs: number;
  readonly senderSeq: number;
  readonly burn: boolean;
  readonly revokedMs: number | null;
  readonly burnedMs: number | null;
}

export interface NewMessage {
  readonly appId: string;
  readonly sender: string;
  readonly target: string;
  readonly isGroup: boolean;
  readonly type: number;
  readonly content: Uint8Array;
  readonly clientMsgId: Uint8Array;
  readonly timeMs: number;
  /** The seq of the sender's own copy in the sender's inbox. */
  readonly senderSeq: number;
  readonly burn: boolean;
}

export interface MessageStore {
  /** Inserts a message and returns its id (see nextMessageId). Call inside a transaction. */
  insert(message: NewMessage): number;
  byClientId(appId: string, sender: string, clientMsgId: Uint8Array): StoredMessage | undefined;
  byId(appId: string, msgId: number): StoredMessage | undefined;
  /** Replaces the content by a shell that keeps only the type and the flags. */
  markRevoked(msgId: number, timeMs: number, shell: Uint8Array): void;
  markBurned(msgId: number, timeMs: number, shell: Uint8Array): void;
  /** Burn-after-reading messages from `sender` to `reader` up to a message id, not yet burned. */
  pendingBurns(appId: string, sender: string, reader: string, upToMsgId: number): number[];
  /**
   * For the write batch: during a batch the rows are kept and written in one multi-row INSERT at
   * its end, and the newest id is read once; a resend in the same batch finds the kept row.
   */
  readonly batchHooks: BatchHooks;
}

type MessageRowValues = [
  msgId: number,
  appId: string,
  sender: string,
  target: string,
  isGroup: number,
  type: number,
  content: Uint8Array,
  clientMsgId: Uint8Array,
  timeMs: number,
  senderSeq: number,
  burn: number,
];

interface MessageRow {
  msg_id: number;
  sender: string;
  target: string;
  is_group: number;
  type: number;
  time_ms: number;
  sender_seq: number;
  burn: number;
  revoked_ms: number | null;
  burned_ms: number | null;
}

const COLUMNS = 'msg_id, sender, target, is_group, type, time_ms, sender_seq, burn, revoked_ms, burned_ms';

export interface MessageStoreOptions {
  /**
   * The final value of a sender's seq given during the write batch (InboxStore.settledSeq): on
   * PostgreSQL the inbox settles a batch's seqs when it locks their heads, at the flush.
   */
  readonly settledSeq?: (appId: string, userId: string, seq: number) => number;
}

export function createMessageStore(db: SqlDatabase, options: MessageStoreOptions = {}): MessageStore {
  const settledSeq = options.settledSeq ?? ((_appId: string, _userId: string, seq: number) => seq);
  const insertHead = 'INSERT INTO messages (msg_id, app_id, sender, target, is_group, type, content, client_msg_id, time_ms, sender_seq, burn) VALUES';
  const insert = db.prepare(`${insertHead} (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertRows = createMultiRowInsert(db, insertHead, 11);
  const byClientId = db.prepare<[string, string, Uint8Array], MessageRow>(
    `SELECT ${COLUMNS} FROM messages WHERE app_id = ? AND sender = ? AND client_msg_id = ?`,
  );
  const byId = db.prepare<[number, string], MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE msg_id = ? AND app_id = ?`);
  // the rowid's largest value: read from the end of the table's b-tree, not a scan
  const newestId = db.prepare<[], number | null>('SELECT MAX(msg_id) FROM messages').pluck();
  const markRevoked = db.prepare('UPDATE messages SET revoked_ms = ?, content = ? WHERE msg_id = ?');
  const markBurned = db.prepare('UPDATE messages SET burned_ms = ?, content = ? WHERE msg_id = ?');
  const pendingBurns = db
    .prepare<[string, string, string, number], number>(
      `SELECT msg_id FROM messages
       WHERE app_id = ? AND target = ? AND sender = ? AND msg_id <= ?
         AND burn = 1 AND burned_ms IS NULL AND revoked_ms IS NULL
       ORDER BY msg_id`,
    )
    .pluck();

  /** Set while a write batch runs: the rows kept, by client id, and the newest id given. */
  let batch: { rows: MessageRowValues[]; byClientId: Map<string, StoredMessage>; newestId: number | undefined } | undefined;

  /** Writes the kept rows; a read that the kept rows could change calls it first. */
  function flushBatch(): void {
    if (batch === undefined || batch.rows.length === 0) return;
    for (const row of batch.rows) row[9] = settledSeq(row[1], row[2], row[9]);
    insertRows(batch.rows);
    batch.rows = [];
    batch.byClientId.clear();
  }

  function insertMessage(m: NewMessage): number {
    if (batch === undefined) {
      const msgId = nextMessageId(newestId.get() ?? 0, m.timeMs, randomInt(MSG_ID_RANDOM_STEPS));
      insert.run(msgId, m.appId, m.sender, m.target, m.isGroup ? 1 : 0, m.type, m.content, m.clientMsgId, m.timeMs, m.senderSeq, m.burn ? 1 : 0);
      return msgId;
    }
    const msgId = nextMessageId(batch.newestId ?? newestId.get() ?? 0, m.timeMs, randomInt(MSG_ID_RANDOM_STEPS));
    batch.newestId = msgId;
    batch.rows.push([msgId, m.appId, m.sender, m.target, m.isGroup ? 1 : 0, m.type, m.content, m.clientMsgId, m.timeMs, m.senderSeq, m.burn ? 1 : 0]);
    batch.byClientId.set(clientKey(m.appId, m.sender, m.clientMsgId), {
      msgId,
      sender: m.sender,
      target: m.target,
      isGroup: m.isGroup,
      type: m.type,
      timeMs: m.timeMs,
      senderSeq: m.senderSeq,
      burn: m.burn,
      revokedMs: null,
      burnedMs: null,
    });
    return msgId;
  }

  const fresh = () => ({ rows: [], byClientId: new Map<string, StoredMessage>(), newestId: undefined });

  return {
    insert: insertMessage,
    // a row kept in this batch is the only one with its client id: the unique index says so
    byClientId: (appId, sender, clientMsgId) => {
      const kept = batch?.byClientId.get(clientKey(appId, sender, clientMsgId));
      if (kept !== undefined) return { ...kept, senderSeq: settledSeq(appId, sender, kept.senderSeq) };
      return fromRow(byClientId.get(appId, sender, clientMsgId));
    },
    byId: (appId, msgId) => {
      flushBatch();
      return fromRow(byId.get(msgId, appId));
    },
    markRevoked: (msgId, timeMs, shell) => {
      flushBatch();
      markRevoked.run(timeMs, shell, msgId);
    },
    markBurned: (msgId, timeMs, shell) => {
      flushBatch();
      markBurned.run(timeMs, shell, msgId);
    },
    pendingBurns: (appId, sender, reader, upToMsgId) => {
      flushBatch();
      return pendingBurns.all(appId, reader, sender, upToMsgId);
    },
    batchHooks: {
      begin: () => (batch = fresh()),
      flush: flushBatch,
      // the newest id is forgotten too: the rolled-back rows' ids may be given again
      discard: () => {
        if (batch !== undefined) batch = fresh();
      },
      end: () => (batch = undefined),
    },
  };
}

/**
 * The last key made: a SEND looks its client id up and then stores it, so the same key is asked
 * for twice in a row (made once, its hash is computed once).
 */
let lastKey: { appId: string; sender: string; clientMsgId: Uint8Array; key: string } | undefined;

function clientKey(appId: string, sender: string, clientMsgId: Uint8Array): string {
  if (lastKey !== undefined && lastKey.clientMsgId === clientMsgId && lastKey.appId === appId && lastKey.sender === sender) return lastKey.key;
  // latin1 maps each byte to one character: as unique as base64, without its work
  const key = `${appId}\u0000${sender}\u0000${Buffer.from(clientMsgId.buffer, clientMsgId.byteOffset, clientMsgId.byteLength).toString('latin1')}`;
  lastKey = { appId, sender, clientMsgId, key };
  return key;
}

/** Message ids advance by this much per millisecond of the clock (2^10: safe integers until the year 2248). */
export const MSG_ID_TIME_FACTOR = 1024;
/** The random part of each step: ids outrun the clock only past 1024 / 32 = 32 messages per ms. */
export const MSG_ID_RANDOM_STEPS = 64;

/**
 * The id of the next message: the send time scaled by MSG_ID_TIME_FACTOR, or just past the newest
 * id when that is already further, plus a random step of 1..MSG_ID_RANDOM_STEPS. Ids stay unique
 * and rising server-wide (read marks and burns compare them), but the gap between two ids tells
 * only the time between them, not how many messages the server stored in between, in any app: a
 * counter's ids showed every client the server's whole traffic.
 */
export function nextMessageId(newestId: number, timeMs: number, random: number): number {
  return Math.max(newestId, timeMs * MSG_ID_TIME_FACTOR) + 1 + random;
}

function fromRow(row: MessageRow | undefined): StoredMessage | undefined {
  if (row === undefined) return undefined;
  return {
    msgId: row.msg_id,
    sender: row.sender,
    target: row.target,
    isGroup: row.is_group === 1,
    type: row.type,
    timeMs: row.time_ms,
    senderSeq: row.sender_seq,
    burn: row.burn === 1,
    revokedMs: row.revoked_ms,
    burnedMs: row.burned_ms,
  };
}
