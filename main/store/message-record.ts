import { isGroupId, pb } from '../../protocol';

/**
 * A message as the client stores it, and the conversions to it from the wire. Ids and times are
 * numbers (the wire's uint64 fit easily: seqs, ms times and server ids stay below 2^53).
 */
export type OutgoingState = 'sending' | 'sent' | 'failed' | 'read';
export type IncomingState = 'received' | 'read';
export type MessageState = OutgoingState | IncomingState;

/** Everything but text that a message carries, stored as JSON in messages.body. */
export interface MessageBody {
  mentions?: string[];
  mentionAll?: boolean;
  media?: {
    fileId: string;
    name: string;
    size: number;
    mime: string;
    durationMs?: number;
    width?: number;
    height?: number;
    thumbnailId?: string;
    sha256?: string;
  };
  location?: { latitude: number; longitude: number; title: string; address: string };
  /** payload in base64 */
  custom?: { command: string; payload: string; transient: boolean; silent: boolean };
  /** The server withheld the content (stored too large to deliver): shown as a placeholder. */
  unavailable?: true;
}

/** A message about to be stored: from the wire, or written here before it is sent. */
export interface MessageInput {
  readonly msgId: number | null;
  readonly clientMsgId: string | null;
  readonly conversation: string;
  readonly from: string;
  readonly to: string;
  readonly outgoing: boolean;
  readonly type: pb.MessageType;
  readonly text: string;
  readonly body: MessageBody;
  readonly timeMs: number;
  readonly seq: number | null;
  /** A large group's message: its seq in the group's timeline (protocol 2.1); else null. */
  readonly timelineSeq: number | null;
  readonly state: MessageState;
  readonly mentionsMe: boolean;
  readonly burnAfterReading: boolean;
}

/** A stored message: what was put in, its row id, and what happened to it since. */
export interface StoredMessage extends MessageInput {
  readonly localId: number;
  readonly revoked: boolean;
  readonly revokedBy: string | null;
  readonly burned: boolean;
}

export interface MessageRow {
  local_id: number;
  msg_id: number | null;
  client_msg_id: string | null;
  conversation: string;
  sender: string;
  recipient: string;
  outgoing: number;
  type: number;
  text: string;
  body: string | null;
  time_ms: number;
  seq: number | null;
  timeline_seq: number | null;
  state: MessageState;
  mentions_me: number;
  burn_after_reading: number;
  revoked: number;
  revoked_by: string | null;
  burned: number;
}

export function messageFromRow(row: MessageRow): StoredMessage {
  return {
    localId: row.local_id,
    msgId: row.msg_id,
    clientMsgId: row.client_msg_id,
    conversation: row.conversation,
    from: row.sender,
    to: row.recipient,
    outgoing: row.outgoing === 1,
    type: row.type as pb.MessageType,
    text: row.text,
    body: row.body ? (JSON.parse(row.body) as MessageBody) : {},
    timeMs: row.time_ms,
    seq: row.seq,
    timelineSeq: row.timeline_seq,
    state: row.state,
    mentionsMe: row.mentions_me === 1,
    burnAfterReading: row.burn_after_reading === 1,
    revoked: row.revoked === 1,
    revokedBy: row.revoked_by,
    burned: row.burned === 1,
  };
}

/** The conversation a message belongs to, seen from selfId: the group, or the other user. */
export function conversationOf(from: string, to: string, selfId: string): string {
  if (isGroupId(to)) return to;
  return from === selfId ? to : from;
}

export function clientMsgIdToHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}

export function bodyOfWireMessage(
  message: Pick<pb.Message, 'mentions' | 'mentionAll' | 'media' | 'location' | 'custom'> & { withheld?: boolean },
): MessageBody {
  if (message.withheld === true) return { unavailable: true };
  const body: MessageBody = {};
  if (message.mentions.length > 0) body.mentions = [...message.mentions];
  if (message.mentionAll) body.mentionAll = true;
  if (message.media) {
    const m = message.media;
    body.media = { fileId: m.fileId, name: m.name, size: Number(m.size), mime: m.mime };
    if (m.durationMs) body.media.durationMs = m.durationMs;
    if (m.width) body.media.width = m.width;
    if (m.height) body.media.height = m.height;
    if (m.thumbnailId) body.media.thumbnailId = m.thumbnailId;
    if (m.sha256) body.media.sha256 = m.sha256;
  }
  if (message.location) {
    const { latitude, longitude, title, address } = message.location;
    body.location = { latitude, longitude, title, address };
  }
  if (message.custom) {
    const c = message.custom;
    body.custom = { command: c.command, payload: Buffer.from(c.payload).toString('base64'), transient: c.transient, silent: c.silent };
  }
  return body;
}

/** A stored message from an inbox entry, seen from selfId; readUpToMsgId decides received or read. */
export function inputFromWireMessage(message: pb.Message, seq: number, selfId: string, readUpToMsgId: number): MessageInput {
  const { localId: _localId, revoked: _revoked, revokedBy: _revokedBy, burned: _burned, ...input } = newMessageFromWire(
    message,
    seq,
    selfId,
    readUpToMsgId,
  );
  return input;
}

/** A message from an inbox entry as it will be stored: localId is set once its row is written. */
export type NewMessage = { -readonly [K in keyof StoredMessage]: StoredMessage[K] };

/**
 * A message from an inbox entry, seen from selfId (readUpToMsgId decides received or read), with
 * the fields of a fresh row: ingest builds thousands of these a second and reports the same
 * object in its result, so it is allocated once.
 */
export function newMessageFromWire(message: pb.Message, seq: number, selfId: string, readUpToMsgId: number): NewMessage {
  const outgoing = message.from === selfId;
  const msgId = Number(message.msgId);
  // the server leaves `to` out of a one-to-one message in its recipient's own inbox
  const to = message.to === '' ? selfId : message.to;
  return {
    msgId,
    clientMsgId: message.clientMsgId.length > 0 ? clientMsgIdToHex(message.clientMsgId) : null,
    conversation: conversationOf(message.from, to, selfId),
    from: message.from,
    to,
    outgoing,
    type: message.type,
    text: message.withheld ? '' : message.text,
    body: bodyOfWireMessage(message),
    timeMs: Number(message.timeMs),
    seq,
    timelineSeq: null,
    state: outgoing ? 'sent' : msgId <= readUpToMsgId ? 'read' : 'received',
    mentionsMe: !outgoing && !message.withheld && (message.mentionAll || message.mentions.includes(selfId)),
    burnAfterReading: message.burnAfterReading,
    localId: 0,
    revoked: false,
    revokedBy: null,
    burned: false,
  };
}

/** What search indexes of a message: its text, a file's name, a place's title and address. */
export function searchableText(text: string, body: MessageBody): string {
  // most messages are text alone: no array to build for them
  if (body.media === undefined && body.location === undefined) return text;
  return [text, body.media?.name, body.location?.title, body.location?.address].filter(Boolean).join(' ');
}

/** The body as messages.body stores it: JSON, or NULL when there is nothing but text. */
export function bodyColumn(body: MessageBody): string | null {
  for (const _key in body) return JSON.stringify(body);
  return null;
}

/** A preview the renderer shows in the UI's language (renderer/src/composables/preview-text.ts). */
const PLACEHOLDER = /^\[[a-z-]+\]$/;

/** The user's own words, never taken for a placeholder. */
function literal(words: string): string {
  return PLACEHOLDER.test(words) ? `\u200b${words}` : words;
}

/**
 * The one-line preview in the conversation list. What is not the message's own words is a
 * placeholder in brackets, which the renderer shows in the UI's language: '[image]', '[burn]' (a
 * burn-after-reading message, whose text never shows outside its chat), '[revoked]' and '[burned]'
 * (the list says who recalled it: the last sender, or the owner or admin the views name). A text that looks like a
 * placeholder is preceded by a zero-width space, so it shows as written.
 */
/** The preview of a revoked message; the views add who revoked it when that was not its sender. */
export const REVOKED_PREVIEW = '[revoked]';

export function previewOf(message: Pick<StoredMessage, 'type' | 'text' | 'body' | 'revoked' | 'burned' | 'burnAfterReading'>): string {
  if (message.revoked) return REVOKED_PREVIEW;
  if (message.burned) return '[burned]';
  if (message.body.unavailable) return '[unavailable]';
  // its text shows only in the chat, once, when opened
  if (message.burnAfterReading) return '[burn]';
  const words = literal(message.text);
  const text = words.length > 120 ? `${words.slice(0, 120)}…` : words;
  switch (message.type) {
    case pb.MessageType.TEXT:
      return text;
    case pb.MessageType.VOICE:
      return '[voice]';
    case pb.MessageType.IMAGE:
      return text || '[image]';
    case pb.MessageType.FILE:
      return literal(message.body.media?.name ?? '') || '[file]';
    case pb.MessageType.LOCATION:
      return literal(message.body.location?.title ?? '') || '[location]';
    case pb.MessageType.CUSTOM:
      return text || `[${message.body.custom?.command ?? 'custom'}]`;
    default:
      return text;
  }
}
