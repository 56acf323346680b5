import { stat, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError, pb } from '../../protocol';
import type { MediaView, MessageView } from '../../preload/api';
import { buildOutgoing } from '../chat/outgoing-message';
import type { MagpieClient } from '../client/magpie-client';
import { bodyOfWireMessage, type PendingUpload } from '../store';
import { toMessageView } from '../views/message-view';
import type { MediaAccess } from './media-access';
import { uploadFile, type MediaKindName } from './uploader';

export interface QueueFileRequest {
  readonly to: string;
  readonly path: string;
  readonly kind: MediaKindName;
  /** The name shown to people; the file's own name by default. */
  readonly name?: string;
  /** Voice only: its length. */
  readonly durationMs?: number;
  /** The path is the profile's own copy (bytes from the page): removed once it is not needed. */
  readonly owned?: boolean;
}

/**
 * Media messages in the outbox. A message is stored (sending) with its upload's state before any
 * byte goes out; the upload runs beside the chat and, once the server has the file, the message's
 * SEND is given the server's file id and handed to the outbox like any other. The upload's URL is
 * kept, so after a restart (or a cut) it continues from the server's offset. A failure marks the
 * message failed with its code; the message's retry (ChatService.retry) starts the upload again.
 */
export interface MediaOutbox {
  send(request: QueueFileRequest): Promise<MessageView>;
  /** Resolves once the message's upload has ended: handed to the outbox, failed, or stopped. */
  settled(clientMsgId: string): Promise<void>;
  /** Stops the running uploads (kept sending, resumed on the next login) and stops listening. */
  dispose(): void;
}

export function createMediaOutbox(deps: {
  readonly client: MagpieClient;
  readonly access: MediaAccess;
  readonly log: Logger;
  /** Upload progress, by the message's clientMsgId. */
  readonly onProgress?: (clientMsgId: string, sentBytes: number, totalBytes: number) => void;
}): MediaOutbox {
  const { client } = deps;
  const { store } = client;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let disposed = false;

  const changed = (clientMsgId: string) => {
    const message = store.messages.getByClientMsgId(clientMsgId);
    if (message) client.events.emit('outgoing', message);
  };

  async function upload(row: PendingUpload, signal: AbortSignal): Promise<void> {
    const id = row.clientMsgId;
    const source = await stat(row.path).catch(() => undefined);
    if (!source?.isFile()) throw new MagpieError(ErrorCode.FILE_SOURCE_MISSING, `${row.name}: the file to send is gone (${row.path})`);
    if (source.size !== row.size || Math.floor(source.mtimeMs) !== row.mtimeMs) {
      throw new MagpieError(ErrorCode.FILE_SOURCE_MISSING, `${row.name}: the file changed after it was picked`);
    }
    const grant = await deps.access.grant();
    let token = grant.token;
    const uploaded = await uploadFile({
      baseUrl: grant.baseUrl,
      token: () => token,
      path: row.path,
      kind: row.kind,
      name: row.name,
      ...(row.uploadUrl ? { resumeUrl: row.uploadUrl } : {}),
      signal,
      onUrl: (url) => {
        // kept at once: a crash from here on resumes this upload instead of starting over
        store.uploads.setUrl(id, url);
        // a long upload keeps a fresh token for its later requests
        void deps.access.grant().then((g) => (token = g.token), () => undefined);
      },
      onProgress: (sent, total) => deps.onProgress?.(id, sent, total),
    });
    const item = store.outbox.get(id);
    if (!item) {
      // withdrawn while it uploaded: the server forgets an upload no message names within a day
      if (row.owned) await rm(row.path, { force: true });
      return;
    }
    const send = fromBinary(pb.SendSchema, item.body);
    const media = send.media ?? create(pb.MediaSchema);
    media.fileId = uploaded.fileId;
    media.size = BigInt(uploaded.size);
    media.mime = uploaded.mime;
    media.sha256 = uploaded.sha256;
    media.width = uploaded.width;
    media.height = uploaded.height;
    send.media = media;
    store.uploads.complete(id, toBinary(pb.SendSchema, send), bodyOfWireMessage(send));
    client.submit(id, send);
    changed(id);
    if (row.owned) await rm(row.path, { force: true });
  }

  function start(clientMsgId: string): Promise<void> {
    const known = running.get(clientMsgId);
    if (known) return known.done;
    const row = store.uploads.get(clientMsgId);
    if (!row || disposed) return Promise.resolve();
    const controller = new AbortController();
    const done = upload(row, controller.signal)
      .catch((error: unknown) => {
        const failure = error instanceof MagpieError ? error : new MagpieError(ErrorCode.INTERNAL, String(error));
        // stopped with the session: it stays sending and goes on at the next login
        if (disposed && failure.code === ErrorCode.CANCELLED) return;
        deps.log.info({ clientMsgId, code: failure.code }, 'a media upload failed');
        store.outbox.markFailed(clientMsgId, failure.code, failure.message, client.clock.now());
        changed(clientMsgId);
      })
      .finally(() => running.delete(clientMsgId));
    running.set(clientMsgId, { controller, done });
    return done;
  }

  const resumeDue = () => {
    for (const row of store.uploads.due()) void start(row.clientMsgId);
  };
  const onDue = (clientMsgId: string) => void start(clientMsgId);
  client.events.on('login', resumeDue);
  client.events.on('uploadDue', onDue);

  return {
    async send(request) {
      const source = await stat(request.path).catch(() => undefined);
      if (!source?.isFile()) throw new MagpieError(ErrorCode.FILE_SOURCE_MISSING, `no file at ${request.path}`);
      if (source.size === 0) throw new MagpieError(ErrorCode.BAD_ARGUMENT, 'an empty file is not sent');
      const name = request.name ?? basename(request.path);
      // the server's measure replaces these once the file is up
      const media: MediaView = { fileId: '', name, size: source.size, mime: '', ...(request.durationMs ? { durationMs: request.durationMs } : {}) };
      const now = client.clock.now();
      const draft = buildOutgoing(client.selfId, request.to, { kind: 'media', type: request.kind, media }, now);
      const stored = store.outbox.enqueue(
        {
          message: draft.message,
          sendBody: draft.sendBody,
          upload: {
            path: request.path,
            owned: request.owned ?? false,
            kind: request.kind,
            name,
            size: source.size,
            mtimeMs: Math.floor(source.mtimeMs),
            durationMs: request.durationMs ?? 0,
            uploadUrl: null,
          },
        },
        now,
      );
      void start(draft.clientMsgId);
      return toMessageView(stored);
    },
    settled: (clientMsgId) => running.get(clientMsgId)?.done ?? Promise.resolve(),
    dispose() {
      disposed = true;
      client.events.off('login', resumeDue);
      client.events.off('uploadDue', onDue);
      for (const { controller } of running.values()) controller.abort();
    },
  };
}
