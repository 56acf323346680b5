import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { pb } from '../../../protocol';
import { downloadFile } from '../../../main/files/downloader';
import { uploadFile, type MediaKindName, type UploadedFile, type UploadRequest } from '../../../main/files/uploader';
import type { Session } from './chat-fixture';
import { clientId } from './chat-fixture';

/** A file of random bytes, written in 1 MiB pieces so a large one never sits in memory. */
export async function randomFile(dir: string, name: string, bytes: number): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= 1024 * 1024) {
    if (!out.write(randomBytes(Math.min(left, 1024 * 1024)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

export const tempDir = () => mkdtemp(join(tmpdir(), 'magpie-files-'));

export function baseUrl(httpPort: number): string {
  return `http://127.0.0.1:${httpPort}`;
}

/** The session's media token, refreshed by MEDIA_TOKEN when asked. */
export function tokenOf(session: Session): string {
  return session.login.mediaToken?.token ?? '';
}

export function upload(
  session: Session,
  httpPort: number,
  path: string,
  kind: MediaKindName,
  extra: Partial<UploadRequest> = {},
): Promise<UploadedFile> {
  return uploadFile({ baseUrl: baseUrl(httpPort), token: () => tokenOf(session), path, kind, ...extra });
}

export function download(session: Session, httpPort: number, fileId: string, dest: string, sha256?: string) {
  return downloadFile({ baseUrl: baseUrl(httpPort), token: () => tokenOf(session), fileId, dest, ...(sha256 ? { sha256 } : {}) });
}

export function sendMedia(session: Session, to: string, n: number, type: pb.MessageType, file: UploadedFile) {
  return session.send({
    clientMsgId: clientId(n),
    to,
    type,
    media: { fileId: file.fileId, name: 'x', size: BigInt(file.size), mime: file.mime },
  });
}

/** Blob files under the data folder (two-level fan-out). */
export async function blobCount(dataDir: string): Promise<number> {
  const root = join(dataDir, 'files', 'blobs');
  let count = 0;
  for (const fan of await readdir(root).catch(() => [])) count += (await readdir(join(root, fan))).length;
  return count;
}

/** A raw HTTP request to the file service, for answers the client helpers hide. */
export async function raw(httpPort: number, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseUrl(httpPort)}${path}`, init);
}
