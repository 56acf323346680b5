import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import type { Tuning } from '../tuning';
import { makeFolder } from '../storage/make-folder';
import type { BlobLocks } from './blob-locks';
import type { BlobStore } from './blob-store';
import { takeInUpload } from './media-intake';
import { checkFileName, checkSize } from './media-limits';
import type { MediaKindValue, UploadRecord, UploadRecords } from './upload-records';

/** One upload in a single request (the app server's REST upload), its length announced up front. */
export interface DirectUpload {
  readonly appId: string;
  /** The user the upload belongs to: only this user may send it (and read it before it is sent). */
  readonly owner: string;
  readonly kind: MediaKindValue;
  readonly name: string;
  /** Content-Length; undefined (chunked) is refused like a tus upload without Upload-Length. */
  readonly length: number | undefined;
  readonly body: Readable;
}

export interface DirectUploadDeps {
  readonly stagingDir: string;
  readonly blobs: BlobStore;
  readonly records: UploadRecords;
  readonly locks: BlobLocks;
  readonly clock: Clock;
  readonly tuning: Tuning;
}

/**
 * Takes in an upload that arrives whole in one request: the same record, per-kind limits, intake
 * (hash, sniffed type, thumbnail) and content-addressed blob store as a client's tus upload, so a
 * later SEND by its file id passes the same checks. The body is streamed to a staging file, never
 * held in memory, and cut off at the announced length. The record is written first, unfinished:
 * should the process die mid-stream, the upload sweeper removes it and its staging file.
 */
export async function takeInDirectUpload(deps: DirectUploadDeps, upload: DirectUpload): Promise<UploadRecord> {
  const declaredSize = checkSize(upload.kind, upload.length, deps.tuning);
  checkFileName(upload.name);
  const fileId = randomBytes(16).toString('hex');
  const path = stagingPathOf(deps.stagingDir, fileId);
  const record = { fileId, appId: upload.appId, owner: upload.owner, kind: upload.kind, name: upload.name, declaredSize, createdMs: deps.clock.now() };
  deps.records.insert(record);
  try {
    await makeFolder(deps.stagingDir);
    let received = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > declaredSize) done(new MagpieError(ErrorCode.UPLOAD_MISMATCH, `the body is longer than its Content-Length ${declaredSize}`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(upload.body, counted, createWriteStream(path));
    } catch (error) {
      // the client hung up mid-body ("aborted"): a short body, not a failure of the server
      if (isAborted(error)) throw new MagpieError(ErrorCode.UPLOAD_MISMATCH, `the body ended at ${received} bytes, before its Content-Length ${declaredSize}`);
      throw error;
    }
    if (received !== declaredSize) {
      throw new MagpieError(ErrorCode.UPLOAD_MISMATCH, `the body has ${received} bytes, not its Content-Length ${declaredSize}`);
    }
    await takeInUpload({ ...deps, thumbnailMaxSidePx: deps.tuning.thumbnailMaxSidePx }, { ...record, ...unfinished }, path);
    const done = deps.records.get(fileId);
    if (done === undefined) throw new MagpieError(ErrorCode.UPLOAD_NOT_FOUND, 'the upload is gone');
    return done;
  } catch (error) {
    deps.records.delete(fileId);
    await rm(path, { force: true });
    throw error;
  }
}

/** Node's error when a request's connection closes before its body is complete. */
function isAborted(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || message === 'aborted';
}

const unfinished = { sha256: null, mime: null, width: 0, height: 0, thumbnailSha256: null, completedMs: null, referencedMs: null } as const;

export function stagingPathOf(stagingDir: string, fileId: string): string {
  if (!/^[0-9a-f]{32}$/.test(fileId)) throw new Error(`not a direct upload id: ${fileId}`);
  return join(stagingDir, fileId);
}
