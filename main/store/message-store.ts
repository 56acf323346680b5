import type { Database } from 'better-sqlite3';
import {
  bodyColumn,
  messageFromRow,
  searchableText,
  type MessageInput,
  type MessageRow,
  type MessageState,
  type NewMessage,
  type StoredMessage,
} from './message-record';
import { prepareSearchMerge } from './search-merge';
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
  /** A large group's message: its timeline seq (SENT.timeline_seq); 0 or absent when not known. */
  readonly timelineSeq?: number | null;
  readonly timeMs: number;
}

/**
 * The messages table and its search index. Single-table operations only: keeping conversations
 * in step is the caller's work (ConversationStore, ingest, OutboxStore), inside its transaction.
 */
export interface MessageStore {
  /** Stores a message unless one with its msg_id or client_msg_id is already there (then undefined). */
  insert(input: MessageInput): StoredMessage | undefined;
  /**
   * insert for ingest: writes the new local id into the message itself rather than building a
   * second record; false when its msg_id or client_msg_id is already there.
   */
  insertNew(message: NewMessage): boolean;
  /** Whether a message with this server id is stored (deleted ones included). */
  hasMsgId(msgId: number): boolean;
  /**
   * A message stored before it was met in its group's timeline (from the inbox: one's own, an
   * @mention; sent from here) takes its timeline seq; one that has it keeps it.
   */
  noteTimelineSeq(msgId: number, timelineSeq: number): void;
  /**
   * Merges a little of the search index, in proportion to the messages just indexed. The index
   * merges only when asked (search-merge.ts): FTS5's own merges ran inside whichever commit
   * crossed their threshold, for tens of ms on a large index, so ingest asks after every chunk.
   */
  mergeSearchIndex(messagesIndexed: number): void;
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
  /** The oldest incoming burn-after-reading message not yet burned (not yet opened), if any. */
  oldestUnburnedMsgId(conversation: string): number | undefined;
  /** The newest incoming message older than beforeMsgId (ids are not consecutive: a READ must name a real one). */
  newestIncomingMsgIdBefore(conversation: string, beforeMsgId: number): number | undefined;
}

export function createMessageStore(db: Database): MessageStore {
  const insertRow = db.prepare(`
    INSERT OR IGNORE INTO messages (msg_id, client_msg_id, conversation, sender, recipient, outgoing, type, text,
      body, time_ms, seq, timeline_seq, state, mentions_me, burn_after_reading)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const indexText = db.prepare('INSERT INTO message_search (rowid, body) VALUES (?, ?)');
  const unindex = db.prepare('DELETE FROM message_search WHERE rowid = ?');
  const mergeSearch = prepareSearchMerge(db);
  const byLocalId = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE local_id = ?');
  const byMsgId = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE msg_id = ?');
  const setTimelineSeq = db.prepare('UPDATE messages SET timeline_seq = ? WHERE msg_id = ? AND timeline_seq IS NULL');
  const msgIdStored = db.prepare<[number], number>('SELECT 1 FROM messages WHERE msg_id = ?').pluck();
  const byClientMsgId = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE client_msg_id = ?');
  const pageBefore = db.prepare<[string, number, number, number], MessageRow>(`
    SELECT * FROM messages
    WHERE conversation = ? AND (time_ms, local_id) < (?, ?) AND deleted = 0
    ORDER BY time_ms DESC, local_id DESC LIMIT ?`);
  const attach = db.prepare(`
    UPDATE messages SET msg_id = @msgId, seq = coalesce(@seq, seq), timeline_seq = coalesce(timeline_seq, @timelineSeq), time_ms = @timeMs,
      state = CASE WHEN state = 'read' THEN 'read' ELSE 'sent' END
    WHERE client_msg_id = @clientMsgId`);
  // one's own messages sent after this one and still waiting (an image still uploading) move with
  // it to the server's time, so they stay below it in the chat, in the order they were sent; read
  // by rowid range (the rows after this one), not through the conversation's whole history
  const keepWaitingBelow = db.prepare(`
    UPDATE messages SET time_ms = @timeMs
    WHERE local_id > @localId AND +conversation = @conversation AND outgoing = 1 AND state = 'sending' AND time_ms < @timeMs`);
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

  const newestIncomingBefore = db.prepare<[string, number], { id: number | null }>(`
    SELECT max(msg_id) AS id FROM messages WHERE conversation = ? AND outgoing = 0 AND msg_id < ?`);

  const unburned = db.prepare<[string], { id: number | null }>(`
    SELECT min(msg_id) AS id FROM messages
    WHERE conversation = ? AND burn_after_reading = 1 AND burned = 0 AND outgoing = 0 AND msg_id IS NOT NULL`);

  const get = (row: MessageRow | undefined): StoredMessage | undefined => (row ? messageFromRow(row) : undefined);

  /** Writes the row and its search entry; the new local id, or undefined for a duplicate. */
  function write(input: MessageInput): number | undefined {
    // positional parameters: no object to build per row, no names to look up while binding
    const result = insertRow.run(
      input.msgId,
      input.clientMsgId,
      input.conversation,
      input.from,
      input.to,
      input.outgoing ? 1 : 0,
      input.type,
      input.text,
      bodyColumn(input.body),
      input.timeMs,
      input.seq,
      input.timelineSeq,
      input.state,
      input.mentionsMe ? 1 : 0,
      input.burnAfterReading ? 1 : 0,
    );
    if (result.changes === 0) return undefined;
    const localId = Number(result.lastInsertRowid);
    // a burn-after-reading text is read once in its chat: search never finds it
    if (input.burnAfterReading) return localId;
    const searchable = searchableText(input.text, input.body);
    if (searchable !== '') indexText.run(localId, toIndexedText(searchable));
    return localId;
  }

  return {
    insert(input) {
      const localId = write(input);
      if (localId === undefined) return undefined;
      // built from the input rather than read back
      return { ...input, localId, revoked: false, revokedBy: null, burned: false };
    },
    insertNew(message) {
      const localId = write(message);
      if (localId === undefined) return false;
      message.localId = localId;
      return true;
    },
    hasMsgId: (msgId) => msgIdStored.get(msgId) !== undefined,
    noteTimelineSeq(msgId, timelineSeq) {
      setTimelineSeq.run(timelineSeq, msgId);
    },
    mergeSearchIndex: mergeSearch,
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
      // the server's time, as every other device of both users shows it
      const timelineSeq = copy.timelineSeq !== undefined && copy.timelineSeq !== null && copy.timelineSeq > 0 ? copy.timelineSeq : null;
      attach.run({ clientMsgId, msgId: copy.msgId, seq: copy.seq, timelineSeq, timeMs: copy.timeMs });
      const row = byClientMsgId.get(clientMsgId);
      if (row !== undefined) keepWaitingBelow.run({ conversation: row.conversation, localId: row.local_id, timeMs: copy.timeMs });
      return get(row);
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
    oldestUnburnedMsgId: (conversation) => unburned.get(conversation)?.id ?? undefined,
    newestIncomingMsgIdBefore: (conversation, beforeMsgId) => newestIncomingBefore.get(conversation, beforeMsgId)?.id ?? undefined,
  };
}
