import { fromBinary } from '@bufbuild/protobuf';
import type { SqlDatabase } from '../storage/sql-database';
import { ErrorCode, MagpieError, MESSAGE_TYPE_NAMES, pb } from '../../protocol';

/** Which messages: a one-to-one conversation, a group's, or everything a user sent or got 1:1. */
export type HistoryScope =
  | { readonly kind: 'conversation'; readonly user: string; readonly peer: string }
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'user'; readonly user: string };

export interface HistoryQuery {
  readonly appId: string;
  readonly scope: HistoryScope;
  readonly fromMs: number;
  readonly toMs: number;
  /** Opaque: the previous page's nextCursor. */
  readonly cursor: string | undefined;
  readonly limit: number;
}

export interface HistoryMessage {
  readonly msgId: string;
  readonly from: string;
  readonly to: string;
  readonly isGroup: boolean;
  readonly type: string;
  readonly text: string;
  readonly timeMs: number;
  readonly mentions: string[];
  /** `payload` is the text as sent (null when a client sent bytes that are not UTF-8); `payloadBase64` the bytes. */
  readonly custom?: { command: string; payload: string | null; payloadBase64: string; silent: boolean } | undefined;
  readonly media?: { fileId: string; name: string; mime: string; size: number } | undefined;
  readonly location?: { latitude: number; longitude: number; title: string; address: string } | undefined;
  readonly revoked: boolean;
  readonly burned: boolean;
}

export interface HistoryPage {
  readonly messages: HistoryMessage[];
  /** Absent on the last page. */
  readonly nextCursor?: string | undefined;
}

export interface HistoryStore {
  page(query: HistoryQuery): HistoryPage;
}

interface Row {
  msg_id: number;
  sender: string;
  target: string;
  is_group: number;
  content: Buffer;
  time_ms: number;
  revoked_ms: number | null;
  burned_ms: number | null;
}

const COLUMNS = 'msg_id, sender, target, is_group, content, time_ms, revoked_ms, burned_ms';
const WINDOW = 'app_id = ? AND msg_id > ? AND time_ms >= ? AND time_ms <= ?';

/**
 * Pages by message id, ascending: a cursor is the last id of a page, so every message is on
 * exactly one page whatever arrives meanwhile. Each branch walks one of the (app, target|sender,
 * msg_id) indexes.
 */
export function createHistoryStore(db: SqlDatabase): HistoryStore {
  const conversation = db.prepare<[string, string, string, number, number, number, string, string, string, number, number, number, number], Row>(`
    SELECT ${COLUMNS} FROM (
      SELECT ${COLUMNS} FROM messages WHERE target = ? AND sender = ? AND is_group = 0 AND ${WINDOW}
      UNION ALL
      SELECT ${COLUMNS} FROM messages WHERE target = ? AND sender = ? AND is_group = 0 AND ${WINDOW}
    ) AS page ORDER BY msg_id LIMIT ?`);
  const group = db.prepare<[string, string, number, number, number, number], Row>(
    `SELECT ${COLUMNS} FROM messages WHERE target = ? AND is_group = 1 AND ${WINDOW} ORDER BY msg_id LIMIT ?`,
  );
  const user = db.prepare<[string, string, number, number, number, string, string, string, number, number, number, number], Row>(`
    SELECT ${COLUMNS} FROM (
      SELECT ${COLUMNS} FROM messages WHERE sender = ? AND ${WINDOW}
      UNION ALL
      SELECT ${COLUMNS} FROM messages WHERE target = ? AND is_group = 0 AND sender <> ? AND ${WINDOW}
    ) AS page ORDER BY msg_id LIMIT ?`);

  return {
    page(query) {
      const after = parseCursor(query.cursor);
      const { appId, fromMs, toMs, scope } = query;
      const w = [appId, after, fromMs, toMs] as const;
      // one more than asked: whether another page follows
      const take = query.limit + 1;
      let rows: Row[];
      switch (scope.kind) {
        case 'conversation':
          rows = conversation.all(scope.peer, scope.user, ...w, scope.user, scope.peer, ...w, take);
          break;
        case 'group':
          rows = group.all(scope.groupId, ...w, take);
          break;
        case 'user':
          rows = user.all(scope.user, ...w, scope.user, scope.user, ...w, take);
          break;
      }
      const more = rows.length > query.limit;
      const messages = rows.slice(0, query.limit).map(toMessage);
      return more ? { messages, nextCursor: cursorAfter(messages.at(-1)!.msgId) } : { messages };
    },
  };
}

function cursorAfter(msgId: string): string {
  return Buffer.from(`m:${msgId}`, 'utf8').toString('base64url');
}

function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  // message ids are the send time in ms × 1024 plus a step: 16 digits today, always below 2^53
  const match = /^m:(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || !Number.isSafeInteger(Number(match[1]))) throw new MagpieError(ErrorCode.REST_BAD_REQUEST, 'cursor is not one this server gave');
  return Number(match[1]);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function toMessage(row: Row): HistoryMessage {
  const content = fromBinary(pb.MessageSchema, row.content);
  return {
    msgId: String(row.msg_id),
    from: row.sender,
    to: row.target,
    isGroup: row.is_group === 1,
    type: MESSAGE_TYPE_NAMES[content.type] ?? 'unknown',
    text: content.text,
    timeMs: row.time_ms,
    mentions: content.mentions,
    custom: content.custom && {
      command: content.custom.command,
      // answered as it is sent (text): the base64 beside it keeps a client's binary payload whole
      payload: utf8OrNull(content.custom.payload),
      payloadBase64: Buffer.from(content.custom.payload).toString('base64'),
      silent: content.custom.silent,
    },
    media: content.media && { fileId: content.media.fileId, name: content.media.name, mime: content.media.mime, size: Number(content.media.size) },
    location: content.location && {
      latitude: content.location.latitude,
      longitude: content.location.longitude,
      title: content.location.title,
      address: content.location.address,
    },
    revoked: row.revoked_ms !== null,
    burned: row.burned_ms !== null,
  };
}
