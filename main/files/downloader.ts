import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ErrorCode, MagpieError } from '../../protocol';
import { sha256OfFile } from '../../platform/files';

export interface DownloadRequest {
  readonly baseUrl: string;
  readonly token: () => string;
  /** A file id, or a thumbnail id (`<file id>.thumb`). */
  readonly fileId: string;
  /** Where the bytes end up; `<dest>.partial` holds them meanwhile, so a cut download resumes. */
  readonly dest: string;
  /** When given, the bytes must hash to it, or the download fails (and its partial file goes). */
  readonly sha256?: string;
  readonly onProgress?: (receivedBytes: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
}

export interface DownloadedFile {
  readonly path: string;
  readonly size: number;
  readonly mime: string;
}

/**
 * Downloads a file from the file service to disk, streamed, resuming a partial file with Range
 * (a file id always names the same bytes) and checking the sha256 when known.
 */
export async function downloadFile(request: DownloadRequest): Promise<DownloadedFile> {
  const partial = `${request.dest}.partial`;
  let have = await sizeOf(partial);
  let response = await get(request, have);
  if (response.statusCode === 416 && have > 0) {
    // the partial file is not a prefix of these bytes: start over
    response.resume();
    await rm(partial, { force: true });
    have = 0;
    response = await get(request, 0);
  }
  const status = response.statusCode ?? 0;
  if (status !== 200 && status !== 206) throw await refusal(response);
  const resumed = status === 206;
  const total = resumed ? Number(/\/(\d+)$/.exec(String(response.headers['content-range']))?.[1] ?? 0) : Number(response.headers['content-length'] ?? 0);
  let received = resumed ? have : 0;
  const progress = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      request.onProgress?.(received, total);
      done(null, chunk);
    },
  });
  await pipeline(response, progress, createWriteStream(partial, { flags: resumed ? 'a' : 'w' }), ...(request.signal ? [{ signal: request.signal }] : [])).catch(
    (error: unknown) => {
      if (request.signal?.aborted) throw new MagpieError(ErrorCode.CANCELLED, 'the download was cancelled');
      throw new MagpieError(ErrorCode.NOT_CONNECTED, 'the download was cut; it resumes next time', { cause: error });
    },
  );
  if (request.sha256 && (await sha256OfFile(partial)) !== request.sha256) {
    await rm(partial, { force: true });
    throw new MagpieError(ErrorCode.UPLOAD_MISMATCH, `${request.fileId}: the bytes do not match their sha256`);
  }
  await rename(partial, request.dest);
  return { path: request.dest, size: received, mime: String(response.headers['content-type'] ?? 'application/octet-stream') };
}

function get(request: DownloadRequest, from: number): Promise<IncomingMessage> {
  const url = new URL(`/files/${encodeURIComponent(request.fileId)}`, request.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      headers: { authorization: `Bearer ${request.token()}`, ...(from > 0 ? { range: `bytes=${from}-` } : {}) },
      ...(request.signal ? { signal: request.signal } : {}),
    });
    req.on('response', resolve);
    req.on('error', (error) => reject(new MagpieError(request.signal?.aborted ? ErrorCode.CANCELLED : ErrorCode.NOT_CONNECTED, `no download: ${error.message}`)));
    req.end();
  });
}

async function refusal(response: IncomingMessage): Promise<MagpieError> {
  let body = '';
  for await (const chunk of response) body += String(chunk);
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    if (typeof parsed.code === 'number') return new MagpieError(parsed.code, String(parsed.message ?? 'refused'));
  } catch {
    // not one of ours
  }
  return new MagpieError(ErrorCode.FILE_FORBIDDEN, `the file service answered ${response.statusCode ?? '?'}`);
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

