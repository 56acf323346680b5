import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Upload, type DetailedError } from 'tus-js-client';
import { ErrorCode, MagpieError } from '../../protocol';

export type MediaKindName = 'voice' | 'image' | 'file';

export interface UploadRequest {
  /** The file service's base, e.g. http://127.0.0.1:8885 (host of the TCP server, LOGIN_RESULT's http_port). */
  readonly baseUrl: string;
  /** The current media token (LOGIN_RESULT's, or a fresher one from MEDIA_TOKEN). */
  readonly token: () => string;
  readonly path: string;
  readonly kind: MediaKindName;
  /** The name shown to people; the file's own name by default. */
  readonly name?: string;
  /** An earlier upload's URL: it continues from the server's offset instead of from 0. */
  readonly resumeUrl?: string;
  /** Called once the server has given the upload its URL: keep it to resume after a restart. */
  readonly onUrl?: (url: string) => void;
  readonly onProgress?: (sentBytes: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
  /** Bytes per PATCH; one streamed PATCH by default. */
  readonly chunkSize?: number;
}

/** What the server measured of a finished upload: what a SEND's media names. */
export interface UploadedFile {
  readonly fileId: string;
  readonly url: string;
  readonly size: number;
  readonly mime: string;
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
}

export const UPLOADS_PATH = '/files/uploads';

/** How often a running upload checks that its file is still the one it started with. */
const SOURCE_CHECK_MS = 500;

/**
 * The abort reason that also discards the upload: the server is asked to delete what it has (tus
 * termination) instead of keeping it to resume. Any other reason keeps it.
 */
export const DISCARD_UPLOAD = 'discard-upload';

/**
 * Uploads a file over tus 1.0: resumable (a cut upload continues from the server's offset),
 * with progress, cancelled by the signal (the server keeps what it has, to resume later, unless the
 * reason is DISCARD_UPLOAD).
 */
export async function uploadFile(request: UploadRequest): Promise<UploadedFile> {
  const source = await stat(request.path);
  const size = source.size;
  const name = request.name ?? basename(request.path);
  return new Promise<UploadedFile>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      request.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    // a file cut short or rewritten while it is read would leave the request waiting for bytes
    // that never come (or send a mix of two versions): the upload stops, and the server drops it
    const watch = setInterval(() => {
      void stat(request.path).then(
        (now) => {
          if (settled || (now.size === source.size && now.mtimeMs === source.mtimeMs)) return;
          void upload.abort(true).catch(() => undefined);
          finish(() => reject(new MagpieError(ErrorCode.FILE_SOURCE_MISSING, `the file changed while it was sent (${source.size} bytes, now ${now.size}): pick it again`)));
        },
        // deleted: the open stream still reads the bytes it had, and a later reopen fails on its own
        () => undefined,
      );
    }, SOURCE_CHECK_MS);
    watch.unref?.();
    const upload = new Upload(createReadStream(request.path), {
      endpoint: `${request.baseUrl}${UPLOADS_PATH}`,
      ...(request.resumeUrl ? { uploadUrl: request.resumeUrl } : {}),
      uploadSize: size,
      metadata: { kind: request.kind, filename: name },
      ...(request.chunkSize ? { chunkSize: request.chunkSize } : {}),
      retryDelays: [0, 500, 2000],
      storeFingerprintForResuming: false,
      onBeforeRequest: (req) => req.setHeader('Authorization', `Bearer ${request.token()}`),
      onShouldRetry: (error) => retryable(error),
      onUploadUrlAvailable: () => {
        if (upload.url) request.onUrl?.(upload.url);
      },
      onProgress: (sent, total) => request.onProgress?.(sent, total),
      onSuccess: ({ lastResponse }) =>
        finish(() =>
          resolve({
            fileId: lastResponse.getHeader('Magpie-File-Id') ?? idFromUrl(upload.url ?? ''),
            url: upload.url ?? '',
            size,
            mime: lastResponse.getHeader('Magpie-Mime') ?? '',
            sha256: lastResponse.getHeader('Magpie-Sha256') ?? '',
            width: Number(lastResponse.getHeader('Magpie-Width') ?? 0),
            height: Number(lastResponse.getHeader('Magpie-Height') ?? 0),
          }),
        ),
      onError: (error) => finish(() => reject(asMagpieError(error))),
    });
    const onAbort = () => {
      const discard = request.signal?.reason === DISCARD_UPLOAD;
      // a discarded upload's DELETE is best effort: the server sweeps what nobody names within a day
      void upload.abort(discard).catch(() => undefined);
      finish(() => reject(new MagpieError(ErrorCode.CANCELLED, discard ? 'the upload was withdrawn' : 'the upload was cancelled')));
    };
    if (request.signal?.aborted) return onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    upload.start();
  });
}

/** Asks the server to delete an upload no message will name (tus termination); best effort. */
export async function discardUpload(request: { readonly url: string; readonly token: string }): Promise<void> {
  await Upload.terminate(request.url, { headers: { Authorization: `Bearer ${request.token}` }, retryDelays: [] });
}

function idFromUrl(url: string): string {
  return url.split('/').at(-1) ?? '';
}

/**
 * A refusal (4xx) is final; a network failure or a 5xx is worth another try, but for a server
 * whose media folder is full (STORAGE_UNAVAILABLE): seconds later it still is, and each try would
 * send the rest of the file again for nothing.
 */
function retryable(error: DetailedError): boolean {
  const status = error.originalResponse?.getStatus() ?? 0;
  if (asMagpieError(error).code === ErrorCode.STORAGE_UNAVAILABLE) return false;
  return status === 0 || status >= 500 || status === 409 || status === 423;
}

/** The server's JSON error body turned back into its code; a transport failure as NOT_CONNECTED. */
export function asMagpieError(error: Error | DetailedError): MagpieError {
  const body = 'originalResponse' in error ? error.originalResponse?.getBody() : undefined;
  if (body) {
    try {
      const parsed = JSON.parse(body) as { code?: unknown; message?: unknown; sizeBytes?: unknown; limitBytes?: unknown };
      if (typeof parsed.code === 'number') {
        // a refusal for size names its figures as data (an older server only in its words)
        const tooLarge = byteCount(parsed.sizeBytes) !== undefined && byteCount(parsed.limitBytes) !== undefined
          ? { sizeBytes: byteCount(parsed.sizeBytes)!, limitBytes: byteCount(parsed.limitBytes)! }
          : undefined;
        return new MagpieError(parsed.code, String(parsed.message ?? 'refused'), tooLarge ? { tooLarge } : undefined);
      }
    } catch {
      // not one of ours: reported as a transport failure below
    }
  }
  return new MagpieError(ErrorCode.NOT_CONNECTED, `the upload failed: ${error.message}`, { cause: error });
}

/** A count of bytes as the server's error body gives one, or undefined when it is none. */
function byteCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
