import { errorCodeName, ErrorCode, isMagpieError } from '../../protocol';
import type { GroupChangesView, GroupView, MemberView, MessageView, NoticeView } from '../../preload/api';
import type { OutboxItem, StoredMessage, StoredNotice } from '../store';
import { toMessageView, toNoticeView } from '../views/message-view';
import type { SenderNames } from './sender-names';

/**
 * The CLI's JSON lines. Their fields are a contract with scripts: add fields, never rename.
 * A message's id is the server's message id (as a string), the same for sender and receivers;
 * a message the server has not yet accepted (the outbox) has its client id (32 hex) instead.
 */
export interface MessageLine {
  id: string;
  /** The id this client gave a message it sent (32 hex); null for messages received. */
  clientId: string | null;
  conversation: string;
  from: string;
  /** The sender as the app names them: their alias in the group, else their nickname, else their id. */
  fromName: string;
  to: string;
  type: string;
  text: string;
  seq: number | null;
  time: number;
  state: string;
  location?: { latitude: number; longitude: number; title: string; address: string };
  custom?: { command: string; payload: string };
  /** Voice, image, file: what the message says of its file ("magpie download ID" fetches it). */
  media?: MediaLine;
  /** A group text's @mentions: the user ids it names, and @all (owners and admins only). */
  mentions?: string[];
  mentionAll?: true;
  /** A received message that mentions me, by my id or with @all. */
  mentionsMe?: true;
  /** Taken back (by its sender or a group manager): its content is gone. */
  revoked?: true;
  /** Burn after reading; once read and burned, its content is gone. */
  burnAfterReading?: true;
  burned?: true;
  code?: number;
  message?: string;
}

/**
 * A media message's file as a line shows it: these fields only, each named in docs/client.md
 * ("Output"), whatever else the store keeps of the file (the server's thumbnail id).
 */
export interface MediaLine {
  fileId: string;
  name: string;
  size: number;
  mime: string;
  /** The file's SHA-256 (64 hex), as the server hashed it; absent until its upload is done. */
  sha256?: string;
  durationMs?: number;
  width?: number;
  height?: number;
}

export interface NoticeLine {
  id: string;
  conversation: string;
  from: string;
  /** The notice's actor as the app names them (alias, nickname, id). */
  fromName: string;
  to: string;
  type: 'notice';
  notice: string;
  targets: string[];
  text: string;
  seq: number;
  time: number;
  state: 'received';
  requestId?: number;
  /** A modify notice: what changed, each with its new value (docs/client.md "Output"). */
  changes?: GroupChangesView;
}

export interface ErrorLine {
  code: number;
  name: string;
  message: string;
}

export function messageLine(names: SenderNames, message: StoredMessage, failure?: { code: number | null; message: string | null }): MessageLine {
  const view = toMessageView(message);
  const line: MessageLine = {
    id: message.msgId !== null ? String(message.msgId) : (message.clientMsgId ?? `local-${message.localId}`),
    clientId: message.outgoing ? message.clientMsgId : null,
    conversation: message.conversation,
    from: message.from,
    fromName: names(message.from, message.conversation),
    to: message.to,
    type: view.kind,
    text: view.text,
    seq: message.seq,
    time: message.timeMs,
    state: message.state,
  };
  if (view.location) line.location = view.location;
  if (view.custom) line.custom = view.custom;
  // the view says whether the file shows (not once burned); the store holds all it knows of it
  const media = view.media ? message.body.media : undefined;
  if (media) line.media = mediaLine(media);
  if (view.mentions.length > 0) line.mentions = [...view.mentions];
  if (view.mentionAll) line.mentionAll = true;
  // a revoked message's content, its mentions with it, is gone
  if (message.mentionsMe && !message.revoked) line.mentionsMe = true;
  if (message.revoked) line.revoked = true;
  if (message.burnAfterReading) line.burnAfterReading = true;
  if (message.burned) line.burned = true;
  if (failure?.code) {
    line.code = failure.code;
    if (failure.message) line.message = failure.message;
  }
  return line;
}

/** The listed fields of a stored file, and only those: a field added to the store is not printed unless listed here. */
function mediaLine(media: NonNullable<StoredMessage['body']['media']>): MediaLine {
  const { fileId, name, size, mime, sha256, durationMs, width, height } = media;
  const line: MediaLine = { fileId, name, size, mime };
  if (sha256) line.sha256 = sha256;
  if (durationMs) line.durationMs = durationMs;
  if (width) line.width = width;
  if (height) line.height = height;
  return line;
}

/** A transient custom message this client sent: never stored, so its id is its client id and it has no seq. */
export function transientSentLine(names: SenderNames, view: MessageView): MessageLine {
  return {
    id: view.clientMsgId ?? view.key,
    clientId: view.clientMsgId ?? null,
    conversation: view.conversation,
    from: view.from,
    fromName: names(view.from, view.conversation),
    to: view.to,
    type: view.kind,
    text: view.text,
    seq: null,
    time: view.timeMs,
    state: 'sent',
    ...(view.custom ? { custom: view.custom } : {}),
  };
}

export function noticeLine(names: SenderNames, notice: Omit<StoredNotice, 'handled'>): NoticeLine {
  const view: NoticeView = toNoticeView({ ...notice, handled: false });
  const line: NoticeLine = {
    id: `n${notice.seq}`,
    conversation: notice.groupId,
    from: notice.actor,
    fromName: names(notice.actor, notice.groupId),
    to: notice.groupId,
    type: 'notice',
    notice: view.kind,
    targets: view.targets,
    text: view.text,
    seq: notice.seq,
    time: notice.timeMs,
    state: 'received',
  };
  if (view.requestId) line.requestId = view.requestId;
  if (view.changes) line.changes = view.changes;
  return line;
}

/** An outbox row as a line: its message, with attempts and the last error. */
export function outboxLine(names: SenderNames, item: OutboxItem, message: StoredMessage | undefined): MessageLine & { attempts: number } {
  const base: MessageLine = message
    ? messageLine(names, message)
    : { id: item.msgId !== null ? String(item.msgId) : item.clientMsgId, clientId: item.clientMsgId, conversation: item.to, from: '', fromName: '', to: item.to, type: 'text', text: '', seq: item.seq, time: item.createdMs, state: item.state };
  const line = { ...base, state: message?.state === 'read' ? 'read' : item.state, attempts: item.attempts };
  if (item.errorCode !== null) {
    line.code = item.errorCode;
    if (item.errorMessage) line.message = item.errorMessage;
  }
  return line;
}

export function errorLine(error: unknown): ErrorLine {
  if (isMagpieError(error)) return { code: error.code, name: errorCodeName(error.code) ?? 'UNKNOWN', message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.INTERNAL, name: 'INTERNAL', message };
}

export type GroupLine = GroupView;
export type MemberLine = MemberView;
