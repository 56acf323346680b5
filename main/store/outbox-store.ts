import type { Database } from 'better-sqlite3';
import type { SizeRefusal } from '../../protocol';
import type { ConversationStore } from './conversation-store';
import type { MessageInput, StoredMessage } from './message-record';
import type { MessageStore, ServerCopy } from './message-store';
import type { PendingUpload, UploadStore } from './upload-store';

export type OutboxState = 'sending' | 'sent' | 'failed';

export interface OutboxItem {
  readonly clientMsgId: string;
  /** The message row shown in the conversation while it is sent. */
  readonly localId: number | null;
  readonly to: string;
  /** The encoded SEND body, resent as it is with the same client_msg_id. */
  readonly body: Uint8Array;
  readonly state: OutboxState;
  readonly errorCode: number | null;
  readonly errorMessage: string | null;
  /** Refused for its size (FILE_TOO_LARGE): its size and the limit, as the refusal gave them (migration 0012). */
  readonly errorTooLarge: SizeRefusal | null;
  readonly attempts: number;
  readonly createdMs: number;
  readonly updatedMs: number;
  readonly msgId: number | null;
  readonly seq: number | null;
}

interface OutboxRow {
  client_msg_id: string;
  local_id: number | null;
  recipient: string;
  body: Buffer;
  state: OutboxState;
  error_code: number | null;
  error_message: string | null;
  error_size_bytes: number | null;
  error_limit_bytes: number | null;
  attempts: number;
  created_ms: number;
  updated_ms: number;
  msg_id: number | null;
  seq: number | null;
}

function fromRow(row: OutboxRow): OutboxItem {
  return {
    clientMsgId: row.client_msg_id,
    localId: row.local_id,
    to: row.recipient,
    body: new Uint8Array(row.body),
    state: row.state,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    errorTooLarge: row.error_size_bytes !== null && row.error_limit_bytes !== null ? { sizeBytes: row.error_size_bytes, limitBytes: row.error_limit_bytes } : null,
    attempts: row.attempts,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
    msgId: row.msg_id,
    seq: row.seq,
  };
}

/** A message to send: its encoded SEND body and the row it shows as in the conversation. */
export interface OutgoingMessage {
  readonly message: MessageInput & { readonly clientMsgId: string };
  readonly sendBody: Uint8Array;
  /** A media message's file still to upload: the message waits for it (upload-store.ts). */
  readonly upload?: Omit<PendingUpload, 'clientMsgId' | 'createdMs'>;
}

/**
 * Messages written before they are sent (the outbox): every send is stored first, in one
 * transaction with its message row, so it survives a crash and is resent with the same id.
 */
export interface OutboxStore {
  /** Stores the message (state sending) and its outbox row; returns the message row. */
  enqueue(outgoing: OutgoingMessage, nowMs: number): StoredMessage;
  get(clientMsgId: string): OutboxItem | undefined;
  /** Items waiting to be sent, in the order they were written, but not those still waiting for an upload (limit: all when not given). */
  pending(limit?: number): OutboxItem[];
  /** Every item, newest first, for `magpie outbox`. */
  list(limit?: number): OutboxItem[];
  /** Counts one more attempt to send it: called each time its SEND goes on the wire. */
  noteAttempt(clientMsgId: string, nowMs: number): void;
  /**
   * The server's SENT receipt: the message becomes sent with the server's ids and the outbox row
   * goes away (nothing is left to send; the message row keeps what the conversation shows).
   */
  markSent(clientMsgId: string, copy: ServerCopy): StoredMessage | undefined;
  /**
   * The server refused it (or it cannot be sent): the item and its message become failed; a
   * refusal for size keeps its figures (tooLarge) beside the code and words.
   */
  markFailed(clientMsgId: string, errorCode: number, errorMessage: string, nowMs: number, tooLarge?: SizeRefusal): void;
  /** The user asks to send a failed item again: back to sending, attempts kept. */
  retry(clientMsgId: string, nowMs: number): boolean;
  /** The user withdraws an unsent item: the outbox row and its message row go away. */
  cancel(clientMsgId: string): boolean;
  /** Drops the sent rows an earlier version kept after their receipt (their messages stay). */
  purgeSent(): number;
}

export function createOutboxStore(db: Database, messages: MessageStore, conversations: ConversationStore, uploads: UploadStore): OutboxStore {
  const insert = db.prepare(`
    INSERT INTO outbox (client_msg_id, local_id, recipient, body, state, attempts, created_ms, updated_ms)
    VALUES (?, ?, ?, ?, 'sending', 0, ?, ?)`);
  const byId = db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE client_msg_id = ?');
  const pendingStmt = db.prepare<[number], OutboxRow>(
    `SELECT * FROM outbox WHERE state = 'sending'
       AND NOT EXISTS (SELECT 1 FROM outbox_uploads u WHERE u.client_msg_id = outbox.client_msg_id)
     ORDER BY local_id LIMIT ?`,
  );
  const listStmt = db.prepare<[number], OutboxRow>('SELECT * FROM outbox ORDER BY created_ms DESC LIMIT ?');
  const attempt = db.prepare('UPDATE outbox SET attempts = attempts + 1, updated_ms = ? WHERE client_msg_id = ?');
  const sent = db.prepare('DELETE FROM outbox WHERE client_msg_id = ?');
  const failed = db.prepare(`
    UPDATE outbox SET state = 'failed', error_code = ?, error_message = ?, error_size_bytes = ?, error_limit_bytes = ?, updated_ms = ?
    WHERE client_msg_id = ? AND state = 'sending'`);
  const retryStmt = db.prepare(`
    UPDATE outbox SET state = 'sending', error_code = NULL, error_message = NULL, error_size_bytes = NULL, error_limit_bytes = NULL, updated_ms = ?
    WHERE client_msg_id = ? AND state = 'failed'`);
  const remove = db.prepare(`DELETE FROM outbox WHERE client_msg_id = ? AND state <> 'sent'`);
  const purge = db.prepare(`DELETE FROM outbox WHERE state = 'sent'`);

  const setMessageState = (clientMsgId: string, state: 'sending' | 'failed'): void => {
    const message = messages.getByClientMsgId(clientMsgId);
    if (message && message.msgId === null) messages.setState(message.localId, state);
  };

  return {
    enqueue: db.transaction((outgoing: OutgoingMessage, nowMs: number) => {
      const stored =
        messages.insert({ ...outgoing.message, state: 'sending' }) ??
        messages.getByClientMsgId(outgoing.message.clientMsgId)!;
      conversations.noteNewMessage(stored);
      insert.run(stored.clientMsgId, stored.localId, outgoing.message.to, Buffer.from(outgoing.sendBody), nowMs, nowMs);
      if (outgoing.upload) uploads.add({ ...outgoing.upload, clientMsgId: outgoing.message.clientMsgId, createdMs: nowMs });
      return stored;
    }),
    get: (clientMsgId) => {
      const row = byId.get(clientMsgId);
      return row ? fromRow(row) : undefined;
    },
    pending: (limit = Number.MAX_SAFE_INTEGER) => pendingStmt.all(limit).map(fromRow),
    list: (limit = 1000) => listStmt.all(limit).map(fromRow),
    noteAttempt(clientMsgId, nowMs) {
      attempt.run(nowMs, clientMsgId);
    },
    markSent: db.transaction((clientMsgId: string, copy: ServerCopy) => {
      sent.run(clientMsgId);
      // the server's own copy may have come by sync first and already taken this msg_id
      const other = messages.getByMsgId(copy.msgId);
      if (other && other.clientMsgId !== clientMsgId) return other;
      const message = messages.attachServerCopy(clientMsgId, copy);
      if (message) conversations.refresh(message.conversation);
      return message;
    }),
    markFailed: db.transaction((clientMsgId: string, errorCode: number, errorMessage: string, nowMs: number, tooLarge?: SizeRefusal) => {
      const figures = [tooLarge?.sizeBytes ?? null, tooLarge?.limitBytes ?? null];
      if (failed.run(errorCode, errorMessage, ...figures, nowMs, clientMsgId).changes > 0) setMessageState(clientMsgId, 'failed');
    }),
    retry: db.transaction((clientMsgId: string, nowMs: number) => {
      if (retryStmt.run(nowMs, clientMsgId).changes === 0) return false;
      setMessageState(clientMsgId, 'sending');
      return true;
    }),
    cancel: db.transaction((clientMsgId: string) => {
      if (remove.run(clientMsgId).changes === 0) return false;
      uploads.remove(clientMsgId);
      const message = messages.getByClientMsgId(clientMsgId);
      if (message && message.msgId === null) {
        messages.deleteLocally([message.localId]);
        conversations.refresh(message.conversation);
      }
      return true;
    }),
    purgeSent: () => purge.run().changes,
  };
}
