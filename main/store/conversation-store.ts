import type { Database } from 'better-sqlite3';
import { isGroupId, type pb } from '../../protocol';
import { previewOf, type StoredMessage } from './message-record';
import type { MessageStore } from './message-store';

export type ConversationKind = 'user' | 'group';

export interface Conversation {
  /** The peer's user id, or the group id. */
  readonly id: string;
  readonly kind: ConversationKind;
  readonly unreadCount: number;
  /** Unread messages that @mention me (or @all). */
  readonly unreadMentions: number;
  readonly lastLocalId: number | null;
  readonly lastTimeMs: number;
  readonly lastPreview: string;
  readonly lastType: pb.MessageType | null;
  readonly lastSender: string | null;
  /** I have read incoming messages up to this msg_id (on any of my devices). */
  readonly readUpToMsgId: number;
  /** 1:1 only: the peer has read my messages up to this msg_id. */
  readonly peerReadUpToMsgId: number;
  readonly draft: string;
  readonly draftMs: number;
  readonly pinned: boolean;
  readonly muted: boolean;
}

interface ConversationRow {
  id: string;
  kind: ConversationKind;
  unread_count: number;
  unread_mentions: number;
  last_local_id: number | null;
  last_time_ms: number;
  last_preview: string;
  last_type: number | null;
  last_sender: string | null;
  read_up_to_msg_id: number;
  peer_read_up_to_msg_id: number;
  draft: string;
  draft_ms: number;
  pinned: number;
  muted: number;
}

function fromRow(row: ConversationRow): Conversation {
  return {
    id: row.id,
    kind: row.kind,
    unreadCount: row.unread_count,
    unreadMentions: row.unread_mentions,
    lastLocalId: row.last_local_id,
    lastTimeMs: row.last_time_ms,
    lastPreview: row.last_preview,
    lastType: row.last_type as pb.MessageType | null,
    lastSender: row.last_sender,
    readUpToMsgId: row.read_up_to_msg_id,
    peerReadUpToMsgId: row.peer_read_up_to_msg_id,
    draft: row.draft,
    draftMs: row.draft_ms,
    pinned: row.pinned === 1,
    muted: row.muted === 1,
  };
}

/**
 * The conversation list and each conversation's summary. The summary (unread count, last message)
 * is kept in step with the messages table by noteNewMessage and refresh, which callers run in the
 * same transaction as the message change.
 */
export interface ConversationStore {
  get(id: string): Conversation | undefined;
  /** How far I have read a conversation (0 when unknown). */
  readUpToMsgId(id: string): number;
  /** Pinned first, then by last activity, newest first. */
  list(limit?: number, offset?: number): Conversation[];
  /** Creates the conversation if missing (kind from the id), with lastTimeMs as its initial place in the list. */
  ensure(id: string, lastTimeMs?: number): Conversation;
  /** A message was stored: it becomes the last one if newest, and counts as unread if incoming and unread. */
  noteNewMessage(message: StoredMessage): void;
  /**
   * Several messages of one conversation were stored, as noteNewMessage for each but in one
   * update: newest is the newest of them (by time, then local id), unread how many of them count
   * as unread, mentions how many of those mention me.
   */
  noteNewMessages(newest: StoredMessage, unread: number, mentions: number): void;
  /**
   * A group notice (a member joined, left, was removed; the group renamed, dismissed) is the
   * group's latest event: the chat's place in the list moves to its time, as a message would.
   * No-op when the conversation is not in the list. True when it is.
   */
  noteNotice(groupId: string, timeMs: number): boolean;
  /** Recomputes unread counts and the last message from the messages table (after revoke, burn, read, delete). */
  refresh(id: string): Conversation | undefined;
  /**
   * Marks incoming messages read up to upToMsgId (default: the newest incoming). Returns the msg_id
   * to tell the server in a READ frame, or undefined when there was nothing unread.
   */
  markRead(id: string, upToMsgId?: number): number | undefined;
  /** My other device read up to upToMsgId (a read receipt from myself). */
  applyOwnReadReceipt(id: string, upToMsgId: number): boolean;
  /** The 1:1 peer read my messages up to upToMsgId. */
  applyPeerReadReceipt(id: string, upToMsgId: number): boolean;
  setDraft(id: string, draft: string, nowMs: number): void;
  setPinned(id: string, pinned: boolean): void;
  setMuted(id: string, muted: boolean): void;
  /** Removes the conversation from the list and hides its messages on this device. */
  remove(id: string): void;
}

export function createConversationStore(db: Database, messages: MessageStore): ConversationStore {
  const byId = db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?');
  const readUpTo = db.prepare<[string], { n: number }>('SELECT read_up_to_msg_id AS n FROM conversations WHERE id = ?');
  const listStmt = db.prepare<[number, number], ConversationRow>(
    'SELECT * FROM conversations ORDER BY pinned DESC, last_time_ms DESC LIMIT ? OFFSET ?',
  );
  const insertIfMissing = db.prepare('INSERT OR IGNORE INTO conversations (id, kind, last_time_ms) VALUES (?, ?, ?)');
  // max: a group notice may have raised the time already (a first message older than it must not lower it)
  const setLast = db.prepare(`
    UPDATE conversations SET last_local_id = @localId, last_time_ms = max(last_time_ms, @timeMs), last_preview = @preview,
      last_type = @type, last_sender = @sender
    WHERE id = @id AND (last_local_id IS NULL OR last_time_ms < @timeMs OR (last_time_ms = @timeMs AND last_local_id < @localId))`);
  const replaceLast = db.prepare(`
    UPDATE conversations SET last_local_id = @localId, last_time_ms = max(last_time_ms, @timeMs), last_preview = @preview,
      last_type = @type, last_sender = @sender WHERE id = @id`);
  const bumpTime = db.prepare('UPDATE conversations SET last_time_ms = max(last_time_ms, ?) WHERE id = ?');
  const addUnread = db.prepare(
    'UPDATE conversations SET unread_count = unread_count + ?, unread_mentions = unread_mentions + ? WHERE id = ?',
  );
  const setUnread = db.prepare('UPDATE conversations SET unread_count = ?, unread_mentions = ? WHERE id = ?');
  const setReadUpTo = db.prepare(
    'UPDATE conversations SET read_up_to_msg_id = ? WHERE id = ? AND read_up_to_msg_id < ?',
  );
  const setPeerReadUpTo = db.prepare(
    'UPDATE conversations SET peer_read_up_to_msg_id = ? WHERE id = ? AND peer_read_up_to_msg_id < ?',
  );
  const draftStmt = db.prepare('UPDATE conversations SET draft = ?, draft_ms = ? WHERE id = ?');
  const pinnedStmt = db.prepare('UPDATE conversations SET pinned = ? WHERE id = ?');
  const mutedStmt = db.prepare('UPDATE conversations SET muted = ? WHERE id = ?');
  const deleteStmt = db.prepare('DELETE FROM conversations WHERE id = ?');
  const messageIds = db.prepare<[string], { local_id: number }>(
    'SELECT local_id FROM messages WHERE conversation = ? AND deleted = 0',
  );

  const store: ConversationStore = {
    get: (id) => {
      const row = byId.get(id);
      return row ? fromRow(row) : undefined;
    },
    readUpToMsgId: (id) => readUpTo.get(id)?.n ?? 0,
    list: (limit = 200, offset = 0) => listStmt.all(limit, offset).map(fromRow),
    ensure(id, lastTimeMs = 0) {
      insertIfMissing.run(id, isGroupId(id) ? 'group' : 'user', lastTimeMs);
      return fromRow(byId.get(id)!);
    },
    noteNewMessage(message) {
      const unread = message.state === 'received' && !message.revoked && !message.burned;
      store.noteNewMessages(message, unread ? 1 : 0, unread && message.mentionsMe ? 1 : 0);
    },
    noteNewMessages(newest, unread, mentions) {
      insertIfMissing.run(newest.conversation, isGroupId(newest.conversation) ? 'group' : 'user', 0);
      setLast.run({
        id: newest.conversation,
        localId: newest.localId,
        timeMs: newest.timeMs,
        preview: previewOf(newest),
        type: newest.type,
        sender: newest.from,
      });
      if (unread > 0) addUnread.run(unread, mentions, newest.conversation);
    },
    noteNotice(groupId, timeMs) {
      return bumpTime.run(timeMs, groupId).changes > 0;
    },
    refresh(id) {
      if (!byId.get(id)) return undefined;
      const { unread, mentions } = messages.countUnread(id);
      setUnread.run(unread, mentions, id);
      const last = messages.latest(id);
      replaceLast.run({
        id,
        localId: last?.localId ?? null,
        timeMs: last?.timeMs ?? 0,
        preview: last ? previewOf(last) : '',
        type: last?.type ?? null,
        sender: last?.from ?? null,
      });
      return store.get(id);
    },
    markRead: db.transaction((id: string, upToMsgId?: number) => {
      const upTo = upToMsgId ?? messages.newestIncomingMsgId(id);
      if (upTo === undefined) return undefined;
      return store.applyOwnReadReceipt(id, upTo) ? upTo : undefined;
    }),
    applyOwnReadReceipt: db.transaction((id: string, upToMsgId: number) => {
      store.ensure(id);
      const raised = setReadUpTo.run(upToMsgId, id, upToMsgId).changes > 0;
      const marked = messages.markIncomingReadUpTo(id, upToMsgId);
      if (marked > 0) store.refresh(id);
      return raised || marked > 0;
    }),
    applyPeerReadReceipt: db.transaction((id: string, upToMsgId: number) => {
      store.ensure(id);
      const raised = setPeerReadUpTo.run(upToMsgId, id, upToMsgId).changes > 0;
      return messages.markOutgoingReadUpTo(id, upToMsgId) > 0 || raised;
    }),
    setDraft(id, draft, nowMs) {
      store.ensure(id);
      draftStmt.run(draft, nowMs, id);
    },
    setPinned(id, pinned) {
      store.ensure(id);
      pinnedStmt.run(pinned ? 1 : 0, id);
    },
    setMuted(id, muted) {
      store.ensure(id);
      mutedStmt.run(muted ? 1 : 0, id);
    },
    remove: db.transaction((id: string) => {
      messages.deleteLocally(messageIds.all(id).map((row) => row.local_id));
      deleteStmt.run(id);
    }),
  };
  return store;
}
