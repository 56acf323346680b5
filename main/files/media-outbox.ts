import { stat, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError, pb, replaceControlCharacters } from '../../protocol';
import { timeOfClientMsgId, type MediaView, type MessageView } from '../../preload/api';
import { buildOutgoing } from '../chat/outgoing-message';
import type { MagpieClient } from '../client/magpie-client';
import { bodyOfWireMessage, type PendingUpload } from '../store';
import { toMessageView } from '../views/message-view';
import type { MediaAccess } from './media-access';
import { DISCARD_UPLOAD, discardUpload, uploadFile, type MediaKindName } from './uploader';

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
  /**
   * The client id the page showed the message under while it handed the bytes over (32 hex
   * digits, its time in the first 6 bytes): the message takes it, and that time when not later than now.
   */
  readonly clientMsgId?: string;
}

/**
 * Media messages in the outbox. A message is stored (sending) with its upload's state before any
 * byte goes out; the upload runs beside the chat and, once the server has the file, the message's
 * SEND is given the server's file id and handed to the outbox like any other. The upload's URL is
 * kept, so after a restart (or a cut) it continues from the server's offset. A failure marks the
 * message failed with its code; the message's retry (ChatService.retry) starts the upload again.
 * Sent while offline (or cut off mid-upload), it is not a failure: the message waits, sending, and
 * its upload starts at the next login, as a text waits in the outbox.
 * At most the client tuning's maxUploadsAtOnce run at once; the others wait their turn in order.
 * Withdrawing the message (ChatService.cancel) stops its upload and the server drops what it has.
 */
export interface MediaOutbox {
  send(request: QueueFileRequest): Promise<MessageView>;
  /** Resolves once the message's upload has ended: handed to the outbox, failed, or stopped. */
  settled(clientMsgId: string): Promise<void>;
  /** Stops the running uploads (kept sending, resumed on the next login) and stops listening. */
  dispose(): void;
}

/** Failures of an upload that say the server was out of reach or going away, not that it refused the file. */
const CUT_OFF: ReadonlySet<number> = new Set([ErrorCode.NOT_CONNECTED, ErrorCode.CONNECTION_CLOSED, ErrorCode.SERVER_SHUTTING_DOWN]);

export function createMediaOutbox(deps: {
  readonly client: MagpieClient;
  readonly access: MediaAccess;
  readonly log: Logger;
  /** Upload progress, by the message's clientMsgId. */
  readonly onProgress?: (clientMsgId: string, sentBytes: number, totalBytes: number) => void;
}): MediaOutbox {
  const { client } = deps;
  const { store } = client;
  /** Uploads queued or running, by clientMsgId; `begin` gives a queued one its turn. */
  const jobs = new Map<string, { controller: AbortController; done: Promise<void>; begin: () => void }>();
  /** Logins so far: an upload cut by a link that came back before it gave up starts again. */
  let logins = 0;
  /** Waiting for a slot, oldest first (client tuning's maxUploadsAtOnce run at once). */
  const queue: string[] = [];
  let active = 0;
  let disposed = false;

  const changed = (clientMsgId: string) => {
    const message = store.messages.getByClientMsgId(clientMsgId);
    if (message) client.events.emit('outgoing', message);
  };

  /**
   * Per conversation, the end of the last media message's hand-off to the outbox: uploads run side
   * by side, but each message is sent only after those started before it in its conversation were
   * handed over (or ended), so several files picked at once arrive in the order picked.
   */
  const handoffs = new Map<string, Promise<void>>();

  /** Uploads the file, gives its slot back (bytesDone), then hands the message over in its conversation's turn. */
  async function upload(row: PendingUpload, signal: AbortSignal, turnToSend: Promise<void>, bytesDone: () => void): Promise<void> {
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
    // waiting for the messages before it holds no upload slot: another conversation's file goes on
    bytesDone();
    await turnToSend;
    if (signal.aborted) throw new MagpieError(ErrorCode.CANCELLED, 'the upload was stopped');
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

  /** Takes the next waiting uploads, in order, while slots are free. */
  const pump = () => {
    while (active < client.tuning.maxUploadsAtOnce && queue.length > 0) {
      const next = jobs.get(queue.shift() ?? '');
      if (!next) continue;
      active++;
      next.begin();
    }
  };

  /** Stops an upload, queued or running; a queued one ends without taking a slot's turn. */
  const abort = (clientMsgId: string, reason: string) => {
    const job = jobs.get(clientMsgId);
    if (!job) return;
    job.controller.abort(reason);
    const waiting = queue.indexOf(clientMsgId);
    if (waiting >= 0) {
      queue.splice(waiting, 1);
      active++;
      job.begin();
    }
  };

  function start(clientMsgId: string): Promise<void> {
    const known = jobs.get(clientMsgId);
    if (known) return known.done;
    const row = store.uploads.get(clientMsgId);
    if (!row || disposed) return Promise.resolve();
    const controller = new AbortController();
    const loginsAtStart = logins;
    const conversation = store.outbox.get(clientMsgId)?.to ?? '';
    const turnToSend = handoffs.get(conversation) ?? Promise.resolve();
    let handedOver = () => {};
    const ended = new Promise<void>((resolve) => (handedOver = resolve));
    const mine = Promise.all([turnToSend, ended]).then(() => undefined);
    handoffs.set(conversation, mine);
    let again = false;
    let slotHeld = true;
    const releaseSlot = () => {
      if (!slotHeld) return;
      slotHeld = false;
      active--;
      pump();
    };
    let begin = () => {};
    const turn = new Promise<void>((resolve) => (begin = resolve));
    const done = turn
      .then(() => {
        if (controller.signal.aborted) throw new MagpieError(ErrorCode.CANCELLED, 'the upload was stopped before its turn');
        return upload(row, controller.signal, turnToSend, releaseSlot);
      })
      .catch((error: unknown) => {
        const failure = error instanceof MagpieError ? error : new MagpieError(ErrorCode.INTERNAL, String(error));
        if (failure.code === ErrorCode.CANCELLED) {
          // stopped with the session: it stays sending and goes on at the next login
          if (disposed) return;
          // withdrawn (message.cancel): the message is gone, nothing to mark
          if (controller.signal.reason === DISCARD_UPLOAD) return;
        }
        if (CUT_OFF.has(failure.code)) {
          // the link went and came back while this upload was still retrying: the login's resume
          // found it running, so it starts again now rather than failing
          if (logins > loginsAtStart) {
            again = true;
            return;
          }
          // the connection went away under it, or the server is stopping: it waits, sending, like a
          // text, and goes on at the next login
          if (client.status.state !== 'online' || failure.code === ErrorCode.SERVER_SHUTTING_DOWN) {
            deps.log.info({ clientMsgId, code: failure.code }, 'a media upload waits for the connection');
            return;
          }
          // online all along and the file service still out of reach: failed, with its reason
        }
        deps.log.info({ clientMsgId, code: failure.code }, 'a media upload failed');
        store.outbox.markFailed(clientMsgId, failure.code, failure.message, client.clock.now(), failure.tooLarge);
        changed(clientMsgId);
      })
      .finally(() => {
        // handed over, failed or stopped: the next message of its conversation may go
        handedOver();
        void mine.then(() => {
          if (handoffs.get(conversation) === mine) handoffs.delete(conversation);
        });
        jobs.delete(clientMsgId);
        if (again) void start(clientMsgId);
        releaseSlot();
      });
    jobs.set(clientMsgId, { controller, done, begin });
    queue.push(clientMsgId);
    pump();
    return done;
  }

  const resumeDue = () => {
    logins++;
    for (const row of store.uploads.due()) void start(row.clientMsgId);
  };
  const onDue = (clientMsgId: string) => void start(clientMsgId);
  const onWithdrawn = (row: PendingUpload) => {
    const job = jobs.get(row.clientMsgId);
    const ended = job?.done ?? Promise.resolve();
    if (job) abort(row.clientMsgId, DISCARD_UPLOAD);
    else if (row.uploadUrl) {
      // a failed upload the server holds part of: dropped now rather than at its 24-hour sweep
      const url = row.uploadUrl;
      void deps.access.grant().then((grant) => discardUpload({ url, token: grant.token })).catch(() => undefined);
    }
    // the profile's copy goes once nothing reads it any more
    if (row.owned) void ended.then(() => rm(row.path, { force: true }));
  };
  client.events.on('login', resumeDue);
  client.events.on('uploadDue', onDue);
  client.events.on('uploadWithdrawn', onWithdrawn);

  return {
    async send(request) {
      // the page's second hand-over of a message already stored (its answer was lost): that message, once
      const known = request.clientMsgId === undefined ? undefined : store.messages.getByClientMsgId(request.clientMsgId);
      if (known) return toMessageView(known);
      const source = await stat(request.path).catch(() => undefined);
      if (!source?.isFile()) throw new MagpieError(ErrorCode.FILE_SOURCE_MISSING, `no file at ${request.path}`);
      if (source.size === 0) throw new MagpieError(ErrorCode.FILE_EMPTY, 'an empty file is not sent');
      // a name with a line break (Linux allows one) is shown with "_": the server refuses control characters
      const name = replaceControlCharacters(request.name ?? basename(request.path));
      // the server's measure replaces these once the file is up
      const media: MediaView = { fileId: '', name, size: source.size, mime: '', ...(request.durationMs ? { durationMs: request.durationMs } : {}) };
      const now = client.clock.now();
      // shown at the server's time as reckoned until the server's own replaces it (as a text's)
      const serverNow = client.serverClock.now();
      // the page's bubble stood where the file was picked: a text sent while its bytes crossed stays below it
      const givenId = request.clientMsgId === undefined ? undefined : Uint8Array.from(Buffer.from(request.clientMsgId, 'hex'));
      const timeMs = request.clientMsgId === undefined ? serverNow : Math.min(serverNow, timeOfClientMsgId(request.clientMsgId));
      const draft = buildOutgoing(client.selfId, request.to, { kind: 'media', type: request.kind, media }, timeMs, givenId);
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
      // offline, it waits in the outbox like a text: the login starts the uploads of what is sending
      if (client.status.state === 'online') void start(draft.clientMsgId);
      return toMessageView(stored);
    },
    settled: (clientMsgId) => jobs.get(clientMsgId)?.done ?? Promise.resolve(),
    dispose() {
      disposed = true;
      client.events.off('login', resumeDue);
      client.events.off('uploadDue', onDue);
      client.events.off('uploadWithdrawn', onWithdrawn);
      for (const clientMsgId of [...jobs.keys()]) abort(clientMsgId, 'session ended');
    },
  };
}
