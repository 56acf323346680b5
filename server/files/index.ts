import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlDatabase } from '../storage/sql-database';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../../protocol';
import type { MediaReferences } from '../chat/media-reference';
import type { Tuning } from '../tuning';
import { makeFolderSync } from '../storage/make-folder';
import { createBlobLocks } from './blob-locks';
import { createLocalBlobStore, type BlobStore } from './blob-store';
import { stagingPathOf, takeInDirectUpload, type DirectUpload } from './direct-upload';
import { registerDownloads } from './downloads';
import { createMediaReferences } from './media-references';
import { createMediaTokens, type MediaTokens } from './media-tokens';
import { createTusUploads, UPLOADS_PATH } from './tus-uploads';
import { createUploadQuota } from './upload-quota';
import { createUploadRecords, type UploadRecord, type UploadRecords } from './upload-records';
import { createUploadSweeper, type UploadSweeper } from './upload-sweeper';

export interface FileServiceDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tuning: Tuning;
  readonly dataDir: string;
  /** Where the bytes live; a local folder under the data folder by default. */
  readonly blobs?: BlobStore;
  /** Why a media token's user may no longer use its app (AccessControl.refusalOf), checked at each request. */
  readonly refusalOf?: (appId: string, userId: string) => string | undefined;
}

export interface FileService {
  readonly tokens: MediaTokens;
  readonly references: MediaReferences;
  readonly records: UploadRecords;
  readonly sweeper: UploadSweeper;
  /** An upload that arrives whole in one request (the REST API's), into the same store as tus uploads. */
  ingest(upload: DirectUpload): Promise<UploadRecord>;
  /** The HTTP routes: tus uploads under /files/uploads, downloads at /files/:fileId. */
  plugin(app: FastifyInstance): Promise<void>;
}

/** Uploads, downloads, media tokens and the SEND-side check of media messages. */
export function createFileService(deps: FileServiceDeps): FileService {
  const blobs = deps.blobs ?? createLocalBlobStore(join(deps.dataDir, 'files', 'blobs'));
  const records = createUploadRecords(deps.db);
  const locks = createBlobLocks(records);
  const tokens = createMediaTokens({
    clock: deps.clock,
    ttlMs: deps.tuning.mediaTokenTtlMs,
    ...(deps.refusalOf ? { refusalOf: deps.refusalOf } : {}),
  });
  const partialDir = join(deps.dataDir, 'files', 'partial');
  // made here so a folder that cannot be made fails the start with its reason: tus would make it
  // later, off the stack, where its error is an uncaught exception
  makeFolderSync(partialDir);
  const uploads = createTusUploads({
    partialDir,
    blobs,
    records,
    locks,
    tokens,
    quota: createUploadQuota({ clock: deps.clock, limits: deps.tuning }),
    clock: deps.clock,
    log: deps.log,
    tuning: deps.tuning,
  });
  const direct = { stagingDir: join(deps.dataDir, 'files', 'direct'), blobs, records, locks, clock: deps.clock, tuning: deps.tuning };
  const sweeper = createUploadSweeper({
    records,
    blobs,
    locks,
    clock: deps.clock,
    log: deps.log,
    unreferencedTtlMs: deps.tuning.unreferencedUploadTtlMs,
    intervalMs: deps.tuning.uploadSweepIntervalMs,
    async discardPartial(fileId) {
      await uploads.discardPartial(fileId);
      // a direct upload cut off by a crash left its staging file under the same id
      if (/^[0-9a-f]{32}$/.test(fileId)) await rm(stagingPathOf(direct.stagingDir, fileId), { force: true });
    },
  });
  return {
    tokens,
    references: createMediaReferences(records, deps.tuning),
    records,
    sweeper,
    ingest: (upload) => takeInDirectUpload(direct, upload),
    async plugin(app) {
      // tus reads the request body itself: Fastify must leave the stream alone
      app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));
      const toTus = async (request: FastifyRequest, reply: FastifyReply) => {
        reply.hijack();
        await uploads.server.handle(request.raw, reply.raw);
      };
      app.route({ method: ['POST', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS'], url: UPLOADS_PATH, handler: toTus });
      app.route({ method: ['POST', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS'], url: `${UPLOADS_PATH}/:id`, handler: toTus });
      registerDownloads(app, { blobs, records, tokens });
    },
  };
}
