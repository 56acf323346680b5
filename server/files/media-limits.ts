import { ErrorCode, hasControlCharacter, isVoiceMime, MagpieError } from '../../protocol';
import { CONTENT_LIMITS } from '../chat/content-limits';
import type { Tuning } from '../tuning';
import { MediaKind, type MediaKindValue } from './upload-records';

/**
 * The most pixels an image upload may have (16383 x 16383, the image library's own default):
 * measuring it and making its thumbnail decode it whole, about 4 bytes a pixel.
 */
export const MAX_IMAGE_SIDE_AT_LIMIT = 16_383;
export const MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE_AT_LIMIT * MAX_IMAGE_SIDE_AT_LIMIT;

const KIND_NAMES: Record<string, MediaKindValue> = { voice: MediaKind.VOICE, image: MediaKind.IMAGE, file: MediaKind.FILE };

/** The kind an upload declares in its tus metadata (`kind`: voice, image or file). */
export function parseKind(value: string | null | undefined): MediaKindValue {
  const kind = value === null || value === undefined ? undefined : KIND_NAMES[value];
  if (kind === undefined) throw new MagpieError(ErrorCode.FILE_TYPE_REFUSED, 'an upload declares its kind: voice, image or file');
  return kind;
}

export function maxBytesOf(kind: MediaKindValue, tuning: Tuning): number {
  switch (kind) {
    case MediaKind.VOICE:
      return tuning.maxVoiceBytes;
    case MediaKind.IMAGE:
      return tuning.maxImageBytes;
    case MediaKind.FILE:
      return tuning.maxFileBytes;
  }
}

/** An upload's file name: what receivers see and save under, so no control character (a NUL cannot be saved at all). */
export function checkFileName(name: string): string {
  if (name.length > CONTENT_LIMITS.maxFileNameChars) {
    throw new MagpieError(ErrorCode.UPLOAD_MISMATCH, `a file name is at most ${CONTENT_LIMITS.maxFileNameChars} characters`);
  }
  if (hasControlCharacter(name)) throw new MagpieError(ErrorCode.UPLOAD_MISMATCH, 'a file name must not hold control characters');
  return name;
}

/**
 * An upload begun (or finished) under a higher limit, before a restart with a lower one: the limit
 * in force now decides, for its remaining bytes and for the SEND that names it.
 */
export function checkStillWithinLimit(kind: MediaKindValue, declaredSize: number, tuning: Tuning): void {
  const max = maxBytesOf(kind, tuning);
  if (declaredSize > max) {
    throw new MagpieError(ErrorCode.FILE_TOO_LARGE, `this kind of upload is at most ${max} bytes on this server now; this one has ${declaredSize}`, {
      tooLarge: { sizeBytes: declaredSize, limitBytes: max },
    });
  }
}

export function checkSize(kind: MediaKindValue, size: number | undefined, tuning: Tuning): number {
  if (size === undefined || !Number.isSafeInteger(size) || size <= 0) {
    throw new MagpieError(ErrorCode.FILE_TOO_LARGE, 'an upload announces its length (Upload-Length), at least 1 byte');
  }
  const max = maxBytesOf(kind, tuning);
  if (size > max) throw new MagpieError(ErrorCode.FILE_TOO_LARGE, `this kind of upload is at most ${max} bytes`, { tooLarge: { sizeBytes: size, limitBytes: max } });
  return size;
}

/**
 * The media type the bytes really have, checked against the declared kind: an image must be an
 * image, a voice message audio (WebM and Ogg containers count); a file may be anything.
 */
export function acceptedMime(kind: MediaKindValue, sniffed: string | undefined): string {
  switch (kind) {
    case MediaKind.IMAGE:
      if (sniffed?.startsWith('image/') === true) return sniffed;
      throw new MagpieError(ErrorCode.FILE_TYPE_REFUSED, `the bytes are not an image (${sniffed ?? 'unknown type'})`);
    case MediaKind.VOICE:
      if (isVoiceMime(sniffed)) return sniffed;
      throw new MagpieError(ErrorCode.FILE_TYPE_REFUSED, `the bytes are not audio (${sniffed ?? 'unknown type'})`);
    case MediaKind.FILE:
      return sniffed ?? 'application/octet-stream';
  }
}
