import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, MagpieError } from '../../protocol';
import type { BlobStore, ByteRange } from './blob-store';
import { statusOf } from './http-errors';
import type { MediaTokens } from './media-tokens';
import { bearerToken } from './tus-uploads';
import type { UploadRecords } from './upload-records';

/** A file's thumbnail is addressed as `<file id>.thumb`, its Media.thumbnail_id. */
export const THUMBNAIL_SUFFIX = '.thumb';

export interface DownloadDeps {
  readonly blobs: BlobStore;
  readonly records: UploadRecords;
  readonly tokens: MediaTokens;
}

/**
 * GET/HEAD /files/:fileId: streams a file to a participant of a conversation that contains it
 * (or its uploader), with Range (one range) and ETag (the sha256). Anyone else gets 403, the
 * same answer as for a file that does not exist.
 */
export function registerDownloads(app: FastifyInstance, deps: DownloadDeps): void {
  const handler = async (request: FastifyRequest<{ Params: { fileId: string } }>, reply: FastifyReply) => {
    try {
      const bearer = deps.tokens.verify(bearerToken(request.headers.authorization));
      const { fileId: requested } = request.params;
      const thumbnail = requested.endsWith(THUMBNAIL_SUFFIX);
      const fileId = thumbnail ? requested.slice(0, -THUMBNAIL_SUFFIX.length) : requested;
      const upload = deps.records.mayRead(bearer.appId, bearer.userId, fileId) ? deps.records.get(fileId) : undefined;
      const sha256 = thumbnail ? upload?.thumbnailSha256 : upload?.sha256;
      const size = sha256 ? await deps.blobs.size(sha256) : undefined;
      if (upload === undefined || !sha256 || size === undefined) throw new MagpieError(ErrorCode.FILE_FORBIDDEN, 'no such file for you');

      const etag = `"${sha256}"`;
      void reply
        .header('ETag', etag)
        .header('Accept-Ranges', 'bytes')
        .header('Cache-Control', 'private, max-age=31536000, immutable')
        .header('Content-Type', thumbnail ? 'image/webp' : (upload.mime ?? 'application/octet-stream'));
      if (request.headers['if-none-match'] === etag) return await reply.code(304).send();
      const ifRange = request.headers['if-range'];
      const range = parseRange(request.headers.range, size, typeof ifRange === 'string' ? ifRange : undefined, etag);
      if (range === 'unsatisfiable') {
        return await reply.code(416).header('Content-Range', `bytes */${size}`).send();
      }
      const span = range ?? { start: 0, end: size - 1 };
      void reply.header('Content-Length', String(span.end - span.start + 1));
      if (range) void reply.code(206).header('Content-Range', `bytes ${span.start}-${span.end}/${size}`);
      if (request.method === 'HEAD' || size === 0) return await reply.send();
      return await reply.send(deps.blobs.read(sha256, span));
    } catch (error) {
      if (!(error instanceof MagpieError)) throw error;
      return reply.code(statusOf(error.code)).send({ code: error.code, message: error.message });
    }
  };
  app.get('/files/:fileId', handler);
}

/** One `bytes=` range, or undefined for the whole file (no Range, or an If-Range that no longer matches). */
export function parseRange(
  header: string | undefined,
  size: number,
  ifRange: string | undefined,
  etag: string,
): ByteRange | undefined | 'unsatisfiable' {
  if (header === undefined || (ifRange !== undefined && ifRange !== etag)) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return 'unsatisfiable';
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
