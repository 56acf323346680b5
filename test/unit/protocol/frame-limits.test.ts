import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  bodyFrame,
  decodeFrame,
  DEFAULT_WIRE_LIMITS,
  emptyFrame,
  encodeFrame,
  ErrorCode,
  FrameDecoder,
  FrameType,
  MagpieError,
  type Frame,
} from '../../../protocol';
import { largeBodies, sampleBodies } from './sample-bodies';

const limits = DEFAULT_WIRE_LIMITS;

function varint(value: number): Uint8Array {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return Uint8Array.from(out);
}

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MagpieError);
    return (error as MagpieError).code;
  }
  return undefined;
}

describe('frame size limits', () => {
  it('an oversized length prefix is refused as soon as the prefix is read, before any body', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
    const prefix = varint(limits.maxFrameBytes); // the frame would be the prefix plus this: one too many
    for (const byte of prefix.subarray(0, -1)) expect(decoder.push(Uint8Array.of(byte))).toEqual([]);
    expect(codeOf(() => decoder.push(prefix.subarray(-1)))).toBe(ErrorCode.FRAME_TOO_LARGE);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('a frame of exactly the limit is accepted and buffered', () => {
    const max = 1000;
    const bodyLength = max - 2 /* prefix */ - 2 /* type, flags */;
    const frame: Frame = { type: FrameType.SEND, compressed: false, body: new Uint8Array(bodyLength) };
    const bytes = encodeFrame(frame);
    expect(bytes.length).toBe(max);
    const decoder = new FrameDecoder({ maxFrameBytes: max });
    expect(decoder.push(bytes.subarray(0, 500))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(498);
    expect(decoder.push(bytes.subarray(500))).toHaveLength(1);
    expect(codeOf(() => new FrameDecoder({ maxFrameBytes: max - 1 }).push(bytes.subarray(0, 2)))).toBe(ErrorCode.FRAME_TOO_LARGE);
  });

  it('a frame trickled in a byte at a time is held in about its own bytes, not in an object per byte', () => {
    // 20 peers each 64 KiB into a frame, one byte per read: an object per byte held ~100 MiB
    const bodyLength = 64 * 1024;
    const bytes = encodeFrame({ type: FrameType.SEND, compressed: false, body: new Uint8Array(bodyLength).fill(7) });
    const decoders = Array.from({ length: 20 }, () => new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes }));
    const before = process.memoryUsage();
    for (const decoder of decoders) for (let at = 0; at < bytes.length - 1; at++) decoder.push(bytes.subarray(at, at + 1));
    const after = process.memoryUsage();
    const grownMiB = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
    expect(grownMiB).toBeLessThan(16);
    for (const decoder of decoders) {
      expect(decoder.bufferedBytes).toBe(bytes.length - 1 - 3 /* the prefix */);
      const [frame] = decoder.push(bytes.subarray(-1));
      expect(frame!.body).toEqual(new Uint8Array(bodyLength).fill(7));
    }
  });

  it('a 5-byte length prefix is refused at its fourth byte, whatever its value', () => {
    for (const prefix of [
      [0x80, 0x80, 0x80, 0x80, 0x01],
      [0x82, 0x80, 0x80, 0x80, 0x00], // 2, padded: still five bytes
      [0xff, 0xff, 0xff, 0xff, 0x0f],
    ]) {
      const decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
      expect(decoder.push(Uint8Array.from(prefix.slice(0, 3)))).toEqual([]);
      expect(codeOf(() => decoder.push(Uint8Array.of(prefix[3]!)))).toBe(ErrorCode.FRAME_TOO_LARGE);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('the encoder refuses a frame whose length would need a 5-byte prefix', () => {
    // a body claiming 2^28 bytes without allocating them: only its length is read before the refusal
    const body = Object.defineProperty(new Uint8Array(0), 'length', { value: 2 ** 28 });
    expect(codeOf(() => encodeFrame({ type: FrameType.SEND, compressed: false, body }))).toBe(ErrorCode.FRAME_TOO_LARGE);
  });

  it('a frame shorter than its two header bytes is malformed', () => {
    expect(codeOf(() => new FrameDecoder(limits).push(Uint8Array.of(0x01, 0x01)))).toBe(ErrorCode.MALFORMED_FRAME);
    expect(codeOf(() => new FrameDecoder(limits).push(Uint8Array.of(0x00)))).toBe(ErrorCode.MALFORMED_FRAME);
  });

  it('after an error the decoder stays failed with the same error', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 64 });
    let first: unknown;
    try {
      decoder.push(varint(1000));
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(MagpieError);
    expect(() => decoder.push(encodeFrame(emptyFrame('PING')))).toThrow(first as Error);
  });
});

describe('malformed headers and bodies raise MagpieError with a code', () => {
  const decode = (frame: Frame, maxBodyBytes = limits.maxBodyBytes) => codeOf(() => decodeFrame(frame, { maxBodyBytes }));

  it('a reserved flag bit', () => {
    expect(codeOf(() => new FrameDecoder(limits).push(Uint8Array.of(2, FrameType.PING, 0x04)))).toBe(ErrorCode.RESERVED_FLAG);
  });

  it('a request id that runs past the frame or past 32 bits', () => {
    expect(codeOf(() => new FrameDecoder(limits).push(Uint8Array.of(3, FrameType.PING, 0x02, 0x80)))).toBe(ErrorCode.MALFORMED_FRAME);
    const tooBig = Uint8Array.of(7, FrameType.PING, 0x02, 0xff, 0xff, 0xff, 0xff, 0x1f);
    expect(codeOf(() => new FrameDecoder(limits).push(tooBig))).toBe(ErrorCode.MALFORMED_FRAME);
  });

  it('an unknown frame type', () => {
    expect(decode({ type: 0xee, compressed: false, body: new Uint8Array(0) })).toBe(ErrorCode.UNKNOWN_FRAME_TYPE);
  });

  it('a PING with a body, or flagged compressed', () => {
    expect(decode({ type: FrameType.PING, compressed: false, body: Uint8Array.of(1) })).toBe(ErrorCode.BAD_BODY);
    expect(decode({ type: FrameType.PONG, compressed: true, body: new Uint8Array(0) })).toBe(ErrorCode.BAD_BODY);
  });

  it('a body that is not the protobuf message of its type', () => {
    expect(decode({ type: FrameType.SEND, compressed: false, body: Uint8Array.of(0x0a, 0x10, 0x01) })).toBe(ErrorCode.BAD_BODY);
  });

  it('a compressed body that does not inflate', () => {
    expect(decode({ type: FrameType.SEND, compressed: true, body: Uint8Array.of(0xff, 0xff, 0xff) })).toBe(ErrorCode.DECOMPRESSION_FAILED);
  });

  it('a plain body above maxBodyBytes', () => {
    const frame = bodyFrame('SYNC_PAGE', largeBodies.SYNC_PAGE!);
    expect(decode(frame, frame.body.length - 1)).toBe(ErrorCode.BODY_TOO_LARGE);
    expect(decode(frame, frame.body.length)).toBeUndefined();
  });

  it('a deflate bomb: a small compressed body that inflates past maxBodyBytes', () => {
    const bomb = deflateRawSync(new Uint8Array(limits.maxBodyBytes * 4));
    expect(bomb.length).toBeLessThan(8 * 1024);
    const frame: Frame = { type: FrameType.PUSH, compressed: true, body: bomb };
    const [received] = new FrameDecoder(limits).push(encodeFrame(frame));
    expect(decode(received!)).toBe(ErrorCode.BODY_TOO_LARGE);
  });

  it('a compressed body that inflates to exactly maxBodyBytes is accepted', () => {
    const frame = bodyFrame('SEND', { ...sampleBodies.SEND, text: 'x'.repeat(5000) }, { compressThresholdBytes: 0 });
    expect(frame.compressed).toBe(true);
    const inflatedLength = bodyFrame('SEND', { ...sampleBodies.SEND, text: 'x'.repeat(5000) }).body.length;
    expect(decode(frame, inflatedLength)).toBeUndefined();
    expect(decode(frame, inflatedLength - 1)).toBe(ErrorCode.BODY_TOO_LARGE);
  });
});
