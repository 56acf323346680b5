import { createHash } from 'node:crypto';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { sha256OfFile } from '../../platform/files';
import type { BlobStore } from './blob-store';
import { acceptedMime } from './media-limits';
import { MediaKind, type UploadRecord, type UploadRecords } from './upload-records';

export interface MediaIntakeDeps {
  readonly blobs: BlobStore;
  readonly records: UploadRecords;
  readonly clock: Clock;
  readonly thumbnailMaxSidePx: number;
}

/**
 * What happens to an upload's bytes once the last one has arrived: hashed, its type sniffed from
 * the bytes (never trusted from the name), checked against its kind, an image measured and given
 * a thumbnail, then moved into the blob store under its sha256 (kept once however often sent).
 */
export async function takeInUpload(deps: MediaIntakeDeps, upload: UploadRecord, path: string): Promise<void> {
  const sha256 = await sha256OfFile(path);
  const sniffed = (await fileTypeFromFile(path))?.mime;
  const mime = acceptedMime(upload.kind, sniffed);
  let width = 0;
  let height = 0;
  let thumbnailSha256: string | null = null;
  if (upload.kind === MediaKind.IMAGE) {
    const image = await measured(path);
    width = image.width;
    height = image.height;
    const thumbnail = await sharp(path)
      .rotate()
      .resize(deps.thumbnailMaxSidePx, deps.thumbnailMaxSidePx, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    thumbnailSha256 = createHash('sha256').update(thumbnail).digest('hex');
    await deps.blobs.putBytes(thumbnailSha256, thumbnail);
  }
  await deps.blobs.putFile(sha256, path);
  deps.records.complete(upload.fileId, { sha256, mime, width, height, thumbnailSha256, completedMs: deps.clock.now() });
}

async function measured(path: string): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(path).metadata();
    // EXIF orientations 5-8 swap the sides as people see them
    const swapped = (meta.orientation ?? 1) >= 5;
    return swapped ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch (error) {
    throw new MagpieError(ErrorCode.FILE_TYPE_REFUSED, 'the image cannot be decoded', { cause: error });
  }
}

