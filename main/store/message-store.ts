import type { Database } from 'better-sqlite3';
import {
  messageFromRow,
  searchableText,
  type MessageInput,
  type MessageRow,
  type MessageState,
  type StoredMessage,
} from './message-record';
import { toIndexedText } from './search-text';

/** Where a page of a conversation ends: strictly before this message (or time). */
export interface PageCursor {
  readonly beforeTimeMs: number;
  /** With beforeTimeMs from the oldest message shown, so equal times are not skipped or repeated. */
  readonly beforeLocalId?: number;
}

export interface ServerCopy {
  readonly msgId: number;
  readonly seq: number | null;
  readonly timeMs: number;
}

/**
 * The messages table and its search index. Single-table operations only: keeping conversations
 * in step is the caller's work (ConversationStore, ingest, OutboxStore), inside its transaction.
 */
export interface MessageStore {
  /** Stores a message unless one with its msg_id or client_msg_id is already there (then undefined). */
  insert(input: MessageInput): StoredMessage | undefined;
  getByLocalId(localId: number): StoredMessage | undefined;
  getByMsgId(msgId: number): StoredMessage | undefined;
  getByClientMsgId(clientMsgId: string): StoredMessage | undefined;
  /** Up to limit messages of a conversation before the cursor (newest page when none), oldest first. */
  page(conversation: string, limit: number, cursor?: PageCursor): StoredMessage[];
  /** The newest message of a conversation that is not deleted. */
  latest(conversation: string): StoredMessage | undefined;
  /** A message sent from here got its server id: ties the local row to it (state sent unless read). */
  attachServerCopy(clientMsgId: string, copy: ServerCopy): StoredMessage | undefined;
  setState(localId: number, state: MessageState): void;
  /** Empties a revoked message; undefined when unknown or already revoked. */
  markRevoked(msgId: number, by: string, timeMs: number): StoredMessage | undefined;
  /** Empties a burned message; undefined when unknown or already burned. */
  markBurned(msgId: number): StoredMessage | undefined;
  /** Hides messages on this device only; their ids stay, so sync does not bring them back. */
  deleteLocally(localIds: readonly number[]): number;
  /** Marks my incoming messages up to msgId as read; returns how many changed. */
  markIncomingReadUpTo(conversation: string, upToMsgId: number): number;
  /** Marks my sent messages up to msgId as read by the peer; returns how many changed. */
  markOutgoingReadUpTo(conversation: string, upToMsgId: number): number;
  /** Unread incoming messages and how many of them mention me. */
  countUnread(conversation: string): { unread: number; mentions: number };
  /** The newest incoming msg_id of a conversation, for a READ frame. */
  newestIncomingMsgId(conversation: string): number | undefined;
}

export function createMessageStore(db: Database): MessageStore {
  const insertRow = db.prepare(`
    INSERT OR IGNORE INTO messages (msg_id, client_msg_id, conversation, sender, recipient, outgoing, type, text,
      body, time_ms, seq, state, mentions_me, burn_after_reading)
    VALUES (@msgId, @clientMsgId, @conversation, @from, @to, @outgoing, @type, @text,
      @body, @timeMs, @seq, @state, @mentionsMe, @burnAfterReading)`);
  const indexText = db.prepare('INSERT INTO message_search (rowid, body) VALUES (?, ?)');
  const unindex = db.prepare('DELETE FROM message_search WHERE rowid = ?');
  const byLocalId = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE local_id = ?');
  const byMsgId = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE msg_id = ?');
  const byClientMsgId = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE client_msg_id = ?');
  const pageBefore = db.prepare<[string, number, number, number], MessageRow>(`
    SELECT * FROM messages
    WHERE conversation = ? AND (time_ms, local_id) < (?, ?) AND deleted = 0
    ORDER BY time_ms DESC, local_id DESC LIMIT ?`);
  const attach = db.prepare(`
    UPDATE messages SET msg_id = @msgId, seq = coalesce(@seq, seq), time_ms = @timeMs,
      state = CASE WHEN state = 'read' THEN 'read' ELSE 'sent' END
    WHERE client_msg_id = @clientMsgId`);
  const setStateStmt = db.prepare('UPDATE messages SET state = ? WHERE local_id = ?');
  const revoke = db.prepare(`
    UPDATE messages SET revoked = 1, revoked_by = ?, revoked_ms = ?, text = '', body = NULL
    WHERE msg_id = ? AND revoked = 0`);
  const burn = db.prepare(`UPDATE messages SET burned = 1, text = '', body = NULL WHERE msg_id = ? AND burned = 0`);
  const hide = db.prepare(`UPDATE messages SET deleted = 1, text = '', body = NULL WHERE local_id = ? AND deleted = 0`);
  const readIncoming = db.prepare(`
    UPDATE messages SET state = 'read' WHERE conversation = ? AND state = 'received' AND msg_id <= ?`);
  const readOutgoing = db.prepare(`
    UPDATE messages SET state = 'read' WHERE conversation = ? AND state = 'sent' AND msg_id <= ?`);
  const unread = db.prepare<[string], { unread: number; mentions: number | null }>(`
    SELECT count(*) AS unread, sum(mentions_me) AS mentions FROM messages
    WHERE conversation = ? AND state = 'received' AND revoked = 0 AND burned = 0 AND deleted = 0`);
  const newestIncoming = db.prepare<[string], { id: number | null }>(`
    SELECT max(msg_id) AS id FROM messages WHERE conversation = ? AND state = 'received'`);

  const get = (row: MessageRow | undefined): StoredMessage | undefined => (row ? messageFromRow(row) : undefined);

  return {
    insert(input) {
      const result = insertRow.run({
        ...input,
        outgoing: input.outgoing ? 1 : 0,
        body: Object.keys(input.body).length > 0 ? JSON.stringify(input.body) : null,
        mentionsMe: input.mentionsMe ? 1 : 0,
        burnAfterReading: input.burnAfterReading ? 1 : 0,
      });
      if (result.changes === 0) return undefined;
      const localId = Number(result.lastInsertRowid);
      const searchable = searchableText(input.text, input.body);
      if (searchable !== '') indexText.run(localId, toIndexedText(searchable));
      // built from the input rather than read back: ingest stores thousands of these per second
      return { ...input, localId, revoked: false, revokedBy: null, burned: false };
    },
    getByLocalId: (localId) => get(byLocalId.get(localId)),
    getByMsgId: (msgId) => get(byMsgId.get(msgId)),
    getByClientMsgId: (clientMsgId) => get(byClientMsgId.get(clientMsgId)),
    page(conversation, limit, cursor) {
      const beforeTimeMs = cursor?.beforeTimeMs ?? Number.MAX_SAFE_INTEGER;
      const beforeLocalId = cursor ? (cursor.beforeLocalId ?? 0) : Number.MAX_SAFE_INTEGER;
      return pageBefore.all(conversation, beforeTimeMs, beforeLocalId, limit).reverse().map(messageFromRow);
    },
    latest(conversation) {
      return get(pageBefore.get(conversation, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 1));
    },
    attachServerCopy(clientMsgId, copy) {
      attach.run({ clientMsgId, msgId: copy.msgId, seq: copy.seq, timeMs: copy.timeMs });
      return get(byClientMsgId.get(clientMsgId));
    },
    setState(localId, state) {
      setStateStmt.run(state, localId);
    },
    markRevoked(msgId, by, timeMs) {
      if (revoke.run(by, timeMs, msgId).changes === 0) return undefined;
      const row = byMsgId.get(msgId)!;
      unindex.run(row.local_id);
      return messageFromRow(row);
    },
    markBurned(msgId) {
      if (burn.run(msgId).changes === 0) return undefined;
      const row = byMsgId.get(msgId)!;
      unindex.run(row.local_id);
      return messageFromRow(row);
    },
    deleteLocally(localIds) {
      let changed = 0;
      for (const localId of localIds) {
        if (hide.run(localId).changes > 0) {
          unindex.run(localId);
          changed += 1;
        }
      }
      return changed;
    },
    markIncomingReadUpTo: (conversation, upToMsgId) => readIncoming.run(conversation, upToMsgId).changes,
    markOutgoingReadUpTo: (conversation, upToMsgId) => readOutgoing.run(conversation, upToMsgId).changes,
    countUnread(conversation) {
      const row = unread.get(conversation)!;
      return { unread: row.unread, mentions: row.mentions ?? 0 };
    },
    newestIncomingMsgId: (conversation) => newestIncoming.get(conversation)?.id ?? undefined,
  };
}
