import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import type { DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { inflateBody, maybeDeflate } from './compression';
import { decodeSend } from './fast-codec';
import { ErrorCode, MagpieError } from './errors';
import type { Frame } from './frame';
import {
  frameBodySchemas,
  frameName,
  FrameType,
  type BodyFrameName,
  type EmptyFrameName,
  type FrameBody,
  type FrameName,
} from './frame-types';
import type { WireLimits } from './limits';

/** What a frame's body is built from (any field may be left out). */
export type InitOf<N extends BodyFrameName> = MessageInitShape<(typeof frameBodySchemas)[N]>;

/** A decoded frame: its name, its request id, and its typed body. */
export type DecodedFrame = {
  [N in FrameName]: { readonly name: N; readonly requestId?: number; readonly body: FrameBody<N> };
}[FrameName];

export interface EncodeOptions {
  readonly requestId?: number;
  /** Bodies larger than this are deflated; omit to never deflate. */
  readonly compressThresholdBytes?: number;
}

/** Builds a frame carrying a typed body. */
export function bodyFrame<N extends BodyFrameName>(name: N, body: InitOf<N>, options: EncodeOptions = {}): Frame {
  const schema = frameBodySchemas[name] as DescMessage;
  const bytes = toBinary(schema, create(schema, body as MessageInitShape<DescMessage>));
  const { body: wireBody, compressed } = maybeDeflate(bytes, options.compressThresholdBytes ?? Infinity);
  return withRequestId({ type: FrameType[name], compressed, body: wireBody }, options.requestId);
}

/** Field numbers of Entry (magpie.proto) that messagePushFrame writes. */
const ENTRY_SEQ_FIELD = 1;
const ENTRY_MESSAGE_FIELD = 2;

/**
 * A PUSH of a message entry whose Message is already encoded. A fan-out to a group encodes the
 * message once and only the seq per member; the bytes equal bodyFrame('PUSH', entry)'s.
 */
export function messagePushFrame(seq: bigint, encodedMessage: Uint8Array): Frame {
  const writer = new BinaryWriter();
  // proto3 leaves a zero scalar out
  if (seq !== 0n) writer.tag(ENTRY_SEQ_FIELD, WireType.Varint).uint64(seq);
  const body = writer
    .tag(ENTRY_MESSAGE_FIELD, WireType.LengthDelimited)
    .bytes(encodedMessage)
    .finish();
  return { type: FrameType.PUSH, compressed: false, body };
}

/** Builds a frame with no body (PING, PONG). */
export function emptyFrame(name: EmptyFrameName, options: { requestId?: number } = {}): Frame {
  return withRequestId({ type: FrameType[name], compressed: false, body: new Uint8Array(0) }, options.requestId);
}

function withRequestId(frame: Frame, requestId: number | undefined): Frame {
  return requestId === undefined ? frame : { ...frame, requestId };
}

/** Decodes a frame's body by its type. Errors are MagpieError with a protocol code. */
export function decodeFrame(frame: Frame, limits: Pick<WireLimits, 'maxBodyBytes'>): DecodedFrame {
  const name = frameName(frame.type);
  if (name === undefined) {
    throw new MagpieError(ErrorCode.UNKNOWN_FRAME_TYPE, `unknown frame type 0x${frame.type.toString(16)}`);
  }
  const schema: DescMessage | undefined = frameBodySchemas[name];
  // one shape for every frame (a spread of a base object took V8's slow path on every request)
  const { requestId } = frame;
  if (schema === undefined) {
    if (frame.body.length !== 0 || frame.compressed) {
      throw new MagpieError(ErrorCode.BAD_BODY, `${name} carries no body`);
    }
    return { name, requestId, body: undefined } as DecodedFrame;
  }
  if (frame.body.length > limits.maxBodyBytes) {
    throw new MagpieError(ErrorCode.BODY_TOO_LARGE, `${name} body exceeds ${limits.maxBodyBytes} bytes`);
  }
  const bytes = frame.compressed ? inflateBody(frame.body, limits.maxBodyBytes) : frame.body;
  try {
    // SEND, the most frequent request, skips protobuf-es's reflection (fast-codec.ts)
    const body = name === 'SEND' ? decodeSend(bytes) : fromBinary(schema, bytes);
    return { name, requestId, body } as DecodedFrame;
  } catch (error) {
    throw new MagpieError(ErrorCode.BAD_BODY, `${name} body does not decode`, { cause: error });
  }
}
