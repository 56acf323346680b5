import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ErrorCode, MagpieError } from './errors';
import type { Frame } from './frame';

/** Deflates a body when it is larger than the threshold; smaller bodies are never deflated. */
export function maybeDeflate(body: Uint8Array, thresholdBytes: number): { body: Uint8Array; compressed: boolean } {
  if (body.length <= thresholdBytes) return { body, compressed: false };
  const deflated = deflateRawSync(body);
  // incompressible bodies travel as they are
  if (deflated.length >= body.length) return { body, compressed: false };
  return { body: deflated, compressed: true };
}

/** Inflates a body, refusing one that would grow past maxBodyBytes (a deflate bomb). */
export function inflateBody(body: Uint8Array, maxBodyBytes: number): Uint8Array {
  try {
    return inflateRawSync(body, { maxOutputLength: maxBodyBytes });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new MagpieError(ErrorCode.BODY_TOO_LARGE, `inflated body exceeds ${maxBodyBytes} bytes`, { cause: error });
    }
    throw new MagpieError(ErrorCode.DECOMPRESSION_FAILED, 'compressed body does not inflate', { cause: error });
  }
}

/** Bodies already deflated (or found incompressible), so a frame sent to many sessions is deflated once. */
const deflatedBodies = new WeakMap<Uint8Array, { body: Uint8Array; compressed: boolean }>();

/**
 * The frame with its body deflated when it is larger than the threshold (and deflating makes it
 * smaller); a frame already compressed, or small, is returned as it is. The same body (one PUSH
 * to every session of a user or every member of a group) is deflated once.
 */
export function compressFrame(frame: Frame, thresholdBytes: number): Frame {
  if (frame.compressed || frame.body.length <= thresholdBytes) return frame;
  let result = deflatedBodies.get(frame.body);
  if (result === undefined) {
    result = maybeDeflate(frame.body, thresholdBytes);
    deflatedBodies.set(frame.body, result);
  }
  return result.compressed ? { ...frame, compressed: true, body: result.body } : frame;
}
