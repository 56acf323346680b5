import type { Database } from 'better-sqlite3';
import { bodyColumn, type MessageBody } from './message-record';

export type UploadKind = 'voice' | 'image' | 'file';

/** A media message's file not yet uploaded (table outbox_uploads, migration 0005). */
export interface PendingUpload {
  readonly clientMsgId: string;
  readonly path: string;
  /** The profile's own copy of bytes handed over by the page: removed once it is no longer needed. */
  readonly owned: boolean;
  readonly kind: UploadKind;
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly durationMs: number;
  /** The tus upload's URL once the server gave it: a restart continues from its offset. */
  readonly uploadUrl: string | null;
  readonly createdMs: number;
}

interface UploadRow {
  client_msg_id: string;
  path: string;
  owned: number;
  kind: UploadKind;
  name: string;
  size: number;
  mtime_ms: number;
  duration_ms: number;
  upload_url: string | null;
  created_ms: number;
}

function fromRow(row: UploadRow): PendingUpload {
  return {
    clientMsgId: row.client_msg_id,
    path: row.path,
    owned: row.owned === 1,
    kind: row.kind,
    name: row.name,
    size: row.size,
    mtimeMs: row.mtime_ms,
    durationMs: row.duration_ms,
    uploadUrl: row.upload_url,
    createdMs: row.created_ms,
  };
}

/**
 * The uploads media messages wait for. The outbox sends only messages without one; the row is
 * written with the message (OutboxStore.enqueue) and goes in the transaction that puts the
 * server's file into the SEND body, so a crash at any point leaves either the upload to resume
 * or the message to send, never neither.
 */
export interface UploadStore {
  /** Written inside the outbox's enqueue transaction. */
  add(upload: PendingUpload): void;
  get(clientMsgId: string): PendingUpload | undefined;
  /** Uploads whose message is still sending (not failed), in the order they were written. */
  due(): PendingUpload[];
  setUrl(clientMsgId: string, url: string): void;
  /** The upload is done: the outbox's SEND body and the message row now name the server's file. */
  complete(clientMsgId: string, sendBody: Uint8Array, body: MessageBody): void;
  /** The message was withdrawn: its upload is forgotten. */
  remove(clientMsgId: string): void;
  /** Paths of the copies the profile owns, to tell them from strays. */
  ownedPaths(): string[];
}

export function createUploadStore(db: Database): UploadStore {
  const insert = db.prepare(`
    INSERT INTO outbox_uploads (client_msg_id, path, owned, kind, name, size, mtime_ms, duration_ms, upload_url, created_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const byId = db.prepare<[string], UploadRow>('SELECT * FROM outbox_uploads WHERE client_msg_id = ?');
  const dueStmt = db.prepare<[], UploadRow>(`
    SELECT u.* FROM outbox_uploads u JOIN outbox o ON o.client_msg_id = u.client_msg_id
    WHERE o.state = 'sending' ORDER BY o.local_id`);
  const setUrlStmt = db.prepare('UPDATE outbox_uploads SET upload_url = ? WHERE client_msg_id = ?');
  const setSendBody = db.prepare('UPDATE outbox SET body = ? WHERE client_msg_id = ?');
  const setMessageBody = db.prepare('UPDATE messages SET body = ? WHERE client_msg_id = ?');
  const remove = db.prepare('DELETE FROM outbox_uploads WHERE client_msg_id = ?');
  const owned = db.prepare<[], string>('SELECT path FROM outbox_uploads WHERE owned = 1').pluck();
  return {
    add(u) {
      insert.run(u.clientMsgId, u.path, u.owned ? 1 : 0, u.kind, u.name, u.size, u.mtimeMs, u.durationMs, u.uploadUrl, u.createdMs);
    },
    get(clientMsgId) {
      const row = byId.get(clientMsgId);
      return row ? fromRow(row) : undefined;
    },
    due: () => dueStmt.all().map(fromRow),
    setUrl(clientMsgId, url) {
      setUrlStmt.run(url, clientMsgId);
    },
    complete: db.transaction((clientMsgId: string, sendBody: Uint8Array, body: MessageBody) => {
      setSendBody.run(Buffer.from(sendBody), clientMsgId);
      setMessageBody.run(bodyColumn(body), clientMsgId);
      remove.run(clientMsgId);
    }),
    remove(clientMsgId) {
      remove.run(clientMsgId);
    },
    ownedPaths: () => owned.all(),
  };
}
