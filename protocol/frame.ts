import { ErrorCode, MagpieError } from './errors';
import { MAX_LENGTH_PREFIX_BYTES } from './limits';

/**
 * A frame on the byte stream:
 *
 *   length   varint (LEB128), the number of bytes that follow it; at most 4 bytes
 *   type     1 byte
 *   flags    1 byte: bit 0 COMPRESSED (body is raw deflate), bit 1 HAS_REQUEST_ID; others must be 0
 *   reqId    varint, present when HAS_REQUEST_ID
 *   body     the rest: a Protocol Buffers message (possibly deflated)
 *
 * A ping is three bytes: 02 01 00.
 */
export interface Frame {
  readonly type: number;
  /** Set on requests and on the responses that answer them; absent on pushes. */
  readonly requestId?: number;
  readonly compressed: boolean;
  /** The body as it travels: deflated when `compressed` is set. */
  readonly body: Uint8Array;
}

export const FrameFlag = {
  COMPRESSED: 0x01,
  HAS_REQUEST_ID: 0x02,
} as const;

const KNOWN_FLAGS = FrameFlag.COMPRESSED | FrameFlag.HAS_REQUEST_ID;
export const MAX_REQUEST_ID = 0xffff_ffff;

export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(target: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    target[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[offset++] = value;
  return offset;
}

/** The bytes of one frame: the length prefix, the header and the body. */
export function frameSize(frame: Frame): number {
  const inner = innerSize(frame);
  return varintSize(inner) + inner;
}

function innerSize(frame: Frame): number {
  const reqIdSize = frame.requestId === undefined ? 0 : varintSize(frame.requestId);
  return 2 + reqIdSize + frame.body.length;
}

/** The largest inner length a length prefix of MAX_LENGTH_PREFIX_BYTES can carry. */
const MAX_INNER_BYTES = 128 ** MAX_LENGTH_PREFIX_BYTES - 1;

/** Throws the MagpieError encoding would throw, so a caller can refuse a frame before queueing it. */
export function checkFrame(frame: Frame): void {
  if (!Number.isInteger(frame.type) || frame.type < 0 || frame.type > 0xff) {
    throw new MagpieError(ErrorCode.MALFORMED_FRAME, `frame type ${frame.type} is not a byte`);
  }
  const id = frame.requestId;
  if (id !== undefined && (!Number.isInteger(id) || id < 0 || id > MAX_REQUEST_ID)) {
    throw new MagpieError(ErrorCode.MALFORMED_FRAME, `request id ${id} is out of range`);
  }
  // a longer prefix would be written, which every decoder refuses
  if (innerSize(frame) > MAX_INNER_BYTES) {
    throw new MagpieError(ErrorCode.FRAME_TOO_LARGE, `frame of ${innerSize(frame)} bytes needs a length prefix over 4 bytes`);
  }
}

function writeFrame(target: Uint8Array, offset: number, frame: Frame): number {
  let at = writeVarint(target, offset, innerSize(frame));
  target[at++] = frame.type;
  let flags = frame.compressed ? FrameFlag.COMPRESSED : 0;
  if (frame.requestId !== undefined) flags |= FrameFlag.HAS_REQUEST_ID;
  target[at++] = flags;
  if (frame.requestId !== undefined) at = writeVarint(target, at, frame.requestId);
  target.set(frame.body, at);
  return at + frame.body.length;
}

/** Encodes one frame. */
export function encodeFrame(frame: Frame): Uint8Array {
  return encodeFrames([frame]);
}

/** Encodes frames back to back in one buffer, so that one socket write carries them all. */
export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  let total = 0;
  for (const frame of frames) {
    checkFrame(frame);
    total += frameSize(frame);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const frame of frames) offset = writeFrame(out, offset, frame);
  return out;
}

/** Parses the header of a frame's inner bytes (what follows the length prefix). */
export function parseFrameInner(inner: Uint8Array): Frame {
  if (inner.length < 2) {
    throw new MagpieError(ErrorCode.MALFORMED_FRAME, `frame of ${inner.length} bytes has no header`);
  }
  const type = inner[0]!;
  const flags = inner[1]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new MagpieError(ErrorCode.RESERVED_FLAG, `frame flags 0x${flags.toString(16)} set a reserved bit`);
  }
  let at = 2;
  let requestId: number | undefined;
  if (flags & FrameFlag.HAS_REQUEST_ID) {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (at >= inner.length) throw new MagpieError(ErrorCode.MALFORMED_FRAME, 'request id runs past the frame');
      if (i >= 5) throw new MagpieError(ErrorCode.MALFORMED_FRAME, 'request id varint is too long');
      const byte = inner[at++]!;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) break;
    }
    if (value > MAX_REQUEST_ID) throw new MagpieError(ErrorCode.MALFORMED_FRAME, 'request id is out of range');
    requestId = value;
  }
  const body = inner.subarray(at);
  const compressed = (flags & FrameFlag.COMPRESSED) !== 0;
  return requestId === undefined ? { type, compressed, body } : { type, requestId, compressed, body };
}

export { MAX_LENGTH_PREFIX_BYTES };
