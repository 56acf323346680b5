import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { EVENTS, ERRORS as TUS_ERRORS, Server as TusServer } from '@tus/server';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import type { Tuning } from '../tuning';
import type { BlobLocks } from './blob-locks';
import type { BlobStore } from './blob-store';
import { httpError, statusOf } from './http-errors';
import { takeInUpload } from './media-intake';
import { checkFileName, checkSize, checkStillWithinLimit, parseKind } from './media-limits';
import { storageUnavailable } from '../storage/storage-errors';
import type { MediaBearer, MediaTokens } from './media-tokens';
import { UploadQuotaExceeded, type UploadQuota } from './upload-quota';
import type { UploadRecords } from './upload-records';

export const UPLOADS_PATH = '/files/uploads';

export interface TusUploadDeps {
  readonly partialDir: string;
  readonly blobs: BlobStore;
  readonly records: UploadRecords;
  readonly locks: BlobLocks;
  readonly tokens: MediaTokens;
  /** Per-user limits on new uploads; a finished or cancelled upload is released from it. */
  readonly quota: UploadQuota;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tuning: Tuning;
}

export interface TusUploads {
  readonly server: TusServer;
  /** Removes what an unfinished upload left in the staging folder. */
  discardPartial(fileId: string): Promise<void>;
}

/**
 * Resumable uploads (tus 1.0): the bytes land in a staging folder, so an interrupted upload
 * continues from its offset; the last byte triggers the intake into the blob store. Every request
 * carries the media token; only the upload's creator may continue, inspect or end it.
 */
export function createTusUploads(deps: TusUploadDeps): TusUploads {
  const datastore = new FileStore({ directory: deps.partialDir });
  const bearerOf = (req: Request): MediaBearer => deps.tokens.verify(bearerToken(req.headers.get('authorization')));
  const asTusError = (error: unknown) => {
    if (error instanceof MagpieError) return httpError(statusOf(error.code), error.code, error.message, error.tooLarge);
    const storage = storageFault(error);
    if (storage !== undefined) return storage;
    deps.log.error({ err: error }, 'an upload failed on the server');
    return httpError(500, ErrorCode.INTERNAL, 'the upload failed on the server');
  };
  // the media folder full or not writable: the operator is told (with the path), the client is
  // not (503 STORAGE_UNAVAILABLE, retry later); what earlier PATCHes stored stays to resume from
  const storageFault = (error: unknown) => {
    const storage = storageUnavailable(error);
    if (storage === undefined) return undefined;
    deps.log.error({ err: error }, 'an upload could not be stored: the media folder is full or cannot be written');
    return httpError(statusOf(storage.code), storage.code, storage.message);
  };

  const maxUploadBytes = Math.max(deps.tuning.maxFileBytes, deps.tuning.maxImageBytes, deps.tuning.maxVoiceBytes);
  const server = new TusServer({
    path: UPLOADS_PATH,
    datastore,
    relativeLocation: true,
    exposedHeaders: ['Magpie-File-Id', 'Magpie-Mime', 'Magpie-Sha256', 'Magpie-Width', 'Magpie-Height'],
    namingFunction: () => randomBytes(16).toString('hex'),
    maxSize: maxUploadBytes,
    // tus's own size refusals are plain text: above maxSize, or more bytes than the upload
    // announced; they get our JSON body and code like every other refusal
    async onResponseError(req, error) {
      // the staging folder's own write failed (a PATCH's bytes, a new upload's file): tus would
      // answer 500 with the error's text, the server's path in it
      if (!('status_code' in error)) {
        const storage = storageFault(error);
        if (storage !== undefined) await drainBody(req, maxUploadBytes);
        return storage;
      }
      if (error.status_code !== 413 || error.body.startsWith('{')) return undefined;
      return error.body === TUS_ERRORS.ERR_MAX_SIZE_EXCEEDED.body
        ? httpError(413, ErrorCode.FILE_TOO_LARGE, `an upload is at most ${maxUploadBytes} bytes`)
        : httpError(413, ErrorCode.UPLOAD_MISMATCH, 'more bytes than the upload announced: the file changed while it was sent');
    },
    async onUploadCreate(req, upload) {
      try {
        const bearer = bearerOf(req);
        const kind = parseKind(upload.metadata?.kind);
        const declaredSize = checkSize(kind, upload.size, deps.tuning);
        const name = checkFileName(upload.metadata?.filename ?? '');
        deps.quota.admit({ fileId: upload.id, appId: bearer.appId, userId: bearer.userId, bytes: declaredSize });
        try {
          deps.records.insert({ fileId: upload.id, appId: bearer.appId, owner: bearer.userId, kind, name, declaredSize, createdMs: deps.clock.now() });
        } catch (error) {
          deps.quota.release(upload.id);
          throw error;
        }
        return {};
      } catch (error) {
        // tus answers with a status and a body only: the header goes on the response it will write
        if (error instanceof UploadQuotaExceeded) nodeResponseOf(req)?.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
        throw asTusError(error);
      }
    },
    async onIncomingRequest(req, fileId) {
      try {
        const bearer = bearerOf(req);
        // a POST names the id it is about to create: onUploadCreate checks it
        if (req.method === 'POST') return;
        const record = deps.records.get(fileId);
        // someone else's upload and no upload at all look the same
        if (record === undefined || record.appId !== bearer.appId || record.owner !== bearer.userId) {
          throw new MagpieError(ErrorCode.FILE_FORBIDDEN, 'no such upload of yours');
        }
        if (req.method === 'PATCH') checkStillWithinLimit(record.kind, record.declaredSize, deps.tuning);
      } catch (error) {
        // a PATCH refused before its bytes were read: read them, so the client gets the answer, not a broken pipe
        if (req.method === 'PATCH') await drainBody(req, maxUploadBytes);
        throw asTusError(error);
      }
    },
    async onUploadFinish(_req, upload) {
      const record = deps.records.get(upload.id);
      // taken in or refused, it is no longer unfinished
      deps.quota.release(upload.id);
      try {
        if (record === undefined) throw new MagpieError(ErrorCode.UPLOAD_NOT_FOUND, 'the upload is gone');
        await takeInUpload({ ...deps, thumbnailMaxSidePx: deps.tuning.thumbnailMaxSidePx }, record, join(deps.partialDir, upload.id));
        await datastore.configstore.delete(upload.id);
        const done = deps.records.get(upload.id);
        // what the client's SEND must say of the file, so it need not guess the sniffed type
        return {
          headers: {
            'Magpie-File-Id': upload.id,
            'Magpie-Mime': done?.mime ?? '',
            'Magpie-Sha256': done?.sha256 ?? '',
            'Magpie-Width': done?.width ?? 0,
            'Magpie-Height': done?.height ?? 0,
          },
        };
      } catch (error) {
        deps.records.delete(upload.id);
        await datastore.remove(upload.id).catch(() => undefined);
        throw asTusError(error);
      }
    },
  });

  // a cancelled upload (tus termination) stops counting as unfinished, and its record goes with its
  // bytes: left, it would wait for the sweep naming bytes that no longer exist
  server.on(EVENTS.POST_TERMINATE, (_req, _res, fileId) => {
    deps.quota.release(fileId);
    if (deps.records.get(fileId)?.completedMs === null) deps.records.delete(fileId);
  });

  return {
    server,
    async discardPartial(fileId) {
      await datastore.remove(fileId).catch(() => undefined);
    },
  };
}

export function bearerToken(header: string | null | undefined): string {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  if (!match?.[1]) throw new MagpieError(ErrorCode.MEDIA_TOKEN_INVALID, 'the file service needs "Authorization: Bearer <media token>"');
  return match[1];
}

/** The Node response under tus's web Request, where a header of our own can still be set. */
function nodeResponseOf(req: Request): ServerResponse | undefined {
  return (req as { runtime?: { node?: { res?: ServerResponse } } }).runtime?.node?.res;
}

/**
 * A PATCH refused part way (the media folder full): the rest of its body is read and dropped
 * before the answer, so the client, still sending, reads the refusal instead of a broken pipe
 * (the answer closes the connection). At most one upload's worth; past it the connection goes.
 */
async function drainBody(req: Request, maxBytes: number): Promise<void> {
  const node = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
  if (node === undefined || node.complete || node.destroyed) return;
  let drained = 0;
  await new Promise<void>((resolve) => {
    // whoever read it before (the web stream tus read through) has let go: its listeners would
    // keep the body paused
    node.removeAllListeners('readable');
    node.removeAllListeners('data');
    node.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > maxBytes) node.destroy();
    });
    node.once('end', resolve);
    node.once('close', resolve);
    node.resume();
  });
}
