import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { sha256OfFile, sniffedTypeOfFile } from '../../platform/files';
import type { BlobLocks } from './blob-locks';
import type { BlobStore } from './blob-store';
import { acceptedMime, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE_AT_LIMIT } from './media-limits';
import { MediaKind, type UploadRecord, type UploadRecords } from './upload-records';

export interface MediaIntakeDeps {
  readonly blobs: BlobStore;
  readonly records: UploadRecords;
  /** Held from storing the bytes to completing the record, so the sweep cannot delete them between. */
  readonly locks: BlobLocks;
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
  const sniffed = await sniffedTypeOfFile(path);
  const mime = acceptedMime(upload.kind, sniffed);
  let width = 0;
  let height = 0;
  let thumbnail: { sha256: string; bytes: Buffer } | undefined;
  if (upload.kind === MediaKind.IMAGE) {
    const image = await measured(path, mime);
    width = image.width;
    height = image.height;
    const bytes = await thumbnailOf(path, deps.thumbnailMaxSidePx);
    thumbnail = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
  }
  const thumbnailSha256 = thumbnail?.sha256 ?? null;
  // a blob already there is kept, not stored again: the sweep must not delete it before the record
  // names it (it deletes a blob no record names)
  await deps.locks.hold([sha256, thumbnailSha256], async () => {
    const stored: string[] = [];
    try {
      if (thumbnail && (await deps.blobs.putBytes(thumbnail.sha256, thumbnail.bytes))) stored.push(thumbnail.sha256);
      if (await deps.blobs.putFile(sha256, path)) stored.push(sha256);
      deps.records.complete(upload.fileId, { sha256, mime, width, height, thumbnailSha256, completedMs: deps.clock.now() });
    } catch (error) {
      await deleteUnnamed(deps.blobs, stored);
      throw error;
    }
  });
}

/**
 * The blobs this intake stored, after its record failed (the database closed, full, or refusing
 * the row): no record names them, and the sweep finds blobs only through records, so they would
 * stay for good. New under the lock held since before they were put, so no other record can name
 * them yet: deleted without asking the database, which may be what failed. A blob that was there
 * before is another upload's, and stays.
 */
async function deleteUnnamed(blobs: BlobStore, stored: readonly string[]): Promise<void> {
  for (const sha256 of stored) {
    // the record's failure is what the caller must hear; a blob that cannot go now stays as before
    await blobs.delete(sha256).catch(() => undefined);
  }
}

/**
 * The picture types the server's image library reads; of the HEIF family only AVIF (it has no
 * HEVC decoder, so no HEIC), and no BMP.
 */
const READ_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/apng', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);

/**
 * The image's sides as people see them. Only its header is read here (no pixel limit applies to
 * that); a picture of more than MAX_IMAGE_PIXELS is refused by its sides, before anything decodes
 * it: a few KB of PNG can hold a 30000 x 30000 picture that would take gigabytes to decode.
 */
async function measured(path: string, mime: string): Promise<{ width: number; height: number }> {
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (error) {
    // a phone's HEIC photo is a picture all the same: the sender can still send it, as a file
    const what = READ_IMAGE_TYPES.has(mime) ? '' : `: this server does not read ${mime} pictures; send it as a file`;
    throw new MagpieError(ErrorCode.FILE_TYPE_REFUSED, `the image cannot be decoded${what}`, { cause: error });
  }
  if (meta.width * meta.height > MAX_IMAGE_PIXELS) {
    throw new MagpieError(
      ErrorCode.FILE_TYPE_REFUSED,
      `the image is ${meta.width} x ${meta.height} pixels: the server takes at most ${MAX_IMAGE_PIXELS} pixels (${MAX_IMAGE_SIDE_AT_LIMIT} x ${MAX_IMAGE_SIDE_AT_LIMIT})`,
    );
  }
  // EXIF orientations 5-8 swap the sides as people see them
  const swapped = (meta.orientation ?? 1) >= 5;
  return swapped ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

/**
 * The WebP thumbnail, which decodes the whole picture: a header that reads well over pixel data
 * that is cut short or damaged fails here, and that is the sender's file, not the server's fault
 * (a 415 the client does not retry, never a 500).
 */
async function thumbnailOf(path: string, maxSidePx: number): Promise<Buffer> {
  try {
    return await sharp(path, { limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate()
      .resize(maxSidePx, maxSidePx, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
  } catch (error) {
    throw new MagpieError(ErrorCode.FILE_TYPE_REFUSED, 'the image cannot be decoded: its data is damaged or cut short', { cause: error });
  }
}
