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
  MAX_REQUEST_ID,
  type BodyFrameName,
  type Frame,
} from '../../../protocol';
import { largeBodies, sampleBodies } from './sample-bodies';
import { createSeededRandom, randomSplits, type SeededRandom } from './seeded-random';

/**
 * Fuzz: random and mutated byte streams through FrameDecoder and decodeFrame. Each stream is also
 * read by a small reference model of the framing rules, which says which frames must come out and
 * at which byte the first framing error must be raised: so an oversized length prefix must be
 * refused in the very chunk that completes the prefix, before any of its body arrives.
 */

const FUZZ_FRAMING_CODES = new Set<number>([
  ErrorCode.MALFORMED_FRAME,
  ErrorCode.FRAME_TOO_LARGE,
  ErrorCode.RESERVED_FLAG,
]);
const FUZZ_BODY_CODES = new Set<number>([
  ErrorCode.UNKNOWN_FRAME_TYPE,
  ErrorCode.BAD_BODY,
  ErrorCode.DECOMPRESSION_FAILED,
  ErrorCode.BODY_TOO_LARGE,
]);

interface ExpectedFrame {
  readonly key: string;
  /** The stream offset just past the frame's last byte. */
  readonly end: number;
}

interface FramingVerdict {
  readonly frames: ExpectedFrame[];
  readonly error?: { readonly code: number; readonly at: number };
  /** Inner bytes of an unfinished last frame the decoder should be holding at the end. */
  readonly heldAtEnd: number;
}

function frameKey(type: number, flags: number, requestId: number | undefined, body: Uint8Array): string {
  return `${type}/${flags & 1}/${requestId ?? '-'}/${Buffer.from(body).toString('hex')}`;
}

function keyOf(frame: Frame): string {
  return frameKey(frame.type, frame.compressed ? 1 : 0, frame.requestId, frame.body);
}

/** The framing rules of docs/protocol.md, written out plainly and independently of the decoder. */
function referenceFraming(stream: Uint8Array, maxFrameBytes: number): FramingVerdict {
  const frames: ExpectedFrame[] = [];
  let at = 0;
  while (at < stream.length) {
    let length = 0;
    let prefixBytes = 0;
    for (;;) {
      if (at >= stream.length) return { frames, heldAtEnd: 0 };
      const byte = stream[at]!;
      length += (byte & 0x7f) * 128 ** prefixBytes;
      prefixBytes++;
      if ((byte & 0x80) === 0) break;
      if (prefixBytes === 4) return { frames, error: { code: ErrorCode.FRAME_TOO_LARGE, at }, heldAtEnd: 0 };
      at++;
    }
    if (length + prefixBytes > maxFrameBytes) return { frames, error: { code: ErrorCode.FRAME_TOO_LARGE, at }, heldAtEnd: 0 };
    if (length < 2) return { frames, error: { code: ErrorCode.MALFORMED_FRAME, at }, heldAtEnd: 0 };
    const start = at + 1;
    const end = start + length;
    if (end > stream.length) return { frames, heldAtEnd: stream.length - start };
    const last = end - 1;
    const type = stream[start]!;
    const flags = stream[start + 1]!;
    if (flags & ~0x03) return { frames, error: { code: ErrorCode.RESERVED_FLAG, at: last }, heldAtEnd: 0 };
    let bodyStart = start + 2;
    let requestId: number | undefined;
    if (flags & 0x02) {
      requestId = 0;
      for (let i = 0; ; i++) {
        if (bodyStart >= end || i === 5) return { frames, error: { code: ErrorCode.MALFORMED_FRAME, at: last }, heldAtEnd: 0 };
        const byte = stream[bodyStart++]!;
        requestId += (byte & 0x7f) * 128 ** i;
        if ((byte & 0x80) === 0) break;
      }
      if (requestId > MAX_REQUEST_ID) return { frames, error: { code: ErrorCode.MALFORMED_FRAME, at: last }, heldAtEnd: 0 };
    }
    frames.push({ key: frameKey(type, flags, requestId, stream.subarray(bodyStart, end)), end });
    at = end;
  }
  return { frames, heldAtEnd: 0 };
}

interface FuzzCase {
  readonly stream: Uint8Array;
  readonly maxFrameBytes: number;
  readonly maxBodyBytes: number;
}

interface FuzzTally {
  cases: number;
  framesDecoded: number;
  codes: Map<number, number>;
  failures: string[];
}

function newTally(): FuzzTally {
  return { cases: 0, framesDecoded: 0, codes: new Map(), failures: [] };
}

function fail(tally: FuzzTally, seedCase: string, what: string): void {
  if (tally.failures.length < 10) tally.failures.push(`${seedCase}: ${what}`);
}

/** Runs one stream through the decoder in random chunks and checks it against the reference. */
function runCase(fuzz: FuzzCase, random: SeededRandom, tally: FuzzTally, label: string): void {
  tally.cases++;
  const verdict = referenceFraming(fuzz.stream, fuzz.maxFrameBytes);
  const decoder = new FrameDecoder({ maxFrameBytes: fuzz.maxFrameBytes });
  const received: Frame[] = [];
  let offset = 0;
  let raised: MagpieError | undefined;
  for (const chunk of randomSplits(fuzz.stream, random, 6)) {
    const chunkStart = offset;
    offset += chunk.length;
    const errorHere = verdict.error !== undefined && verdict.error.at >= chunkStart && verdict.error.at < offset;
    try {
      received.push(...decoder.push(chunk));
      if (errorHere) fail(tally, label, `no error in the chunk holding byte ${verdict.error!.at}`);
    } catch (error) {
      if (!(error instanceof MagpieError)) {
        fail(tally, label, `decoder threw ${String(error)}`);
        return;
      }
      if (!errorHere) fail(tally, label, `decoder threw ${error.code} in [${chunkStart}, ${offset}), expected ${JSON.stringify(verdict.error)}`);
      else if (error.code !== verdict.error!.code) fail(tally, label, `decoder threw ${error.code}, expected ${verdict.error!.code}`);
      raised = error;
      tally.codes.set(error.code, (tally.codes.get(error.code) ?? 0) + 1);
      // frames completed within the failing chunk are dropped with it: the connection closes
      const expectedKeys = verdict.frames.filter((frame) => frame.end <= chunkStart).map((frame) => frame.key);
      if (received.map(keyOf).join() !== expectedKeys.join()) fail(tally, label, 'frames before the error differ');
      break;
    } finally {
      if (decoder.bufferedBytes > fuzz.maxFrameBytes) fail(tally, label, `holds ${decoder.bufferedBytes} bytes`);
    }
  }
  if (raised) {
    try {
      decoder.push(Uint8Array.of(0));
      fail(tally, label, 'a failed decoder accepted more bytes');
    } catch (error) {
      if (error !== raised) fail(tally, label, 'a failed decoder threw a different error');
    }
  } else {
    if (verdict.error) fail(tally, label, `expected error ${JSON.stringify(verdict.error)} never came`);
    if (received.map(keyOf).join() !== verdict.frames.map((frame) => frame.key).join()) fail(tally, label, 'frames differ');
    if (decoder.bufferedBytes !== verdict.heldAtEnd) fail(tally, label, `holds ${decoder.bufferedBytes}, expected ${verdict.heldAtEnd}`);
  }
  for (const frame of received) {
    try {
      decodeFrame(frame, { maxBodyBytes: fuzz.maxBodyBytes });
      tally.framesDecoded++;
    } catch (error) {
      if (!(error instanceof MagpieError) || !FUZZ_BODY_CODES.has(error.code)) {
        fail(tally, label, `decodeFrame threw ${String(error)}`);
        continue;
      }
      tally.codes.set(error.code, (tally.codes.get(error.code) ?? 0) + 1);
    }
  }
}

// ---- inputs ----------------------------------------------------------------------------------

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/** Valid frames of every type, the raw material of the mutated streams. */
function framePool(): Uint8Array[] {
  const frames: Frame[] = [emptyFrame('PING'), emptyFrame('PONG'), emptyFrame('PING', { requestId: 1 })];
  for (const name of Object.keys(sampleBodies) as BodyFrameName[]) {
    frames.push(bodyFrame(name, sampleBodies[name] as never));
    frames.push(bodyFrame(name, sampleBodies[name] as never, { requestId: 1 + frames.length * 997 }));
    const large = largeBodies[name];
    if (large) frames.push(bodyFrame(name, large as never, { compressThresholdBytes: 512, requestId: 12 }));
  }
  // a deflate bomb, an unknown type, and a compressed body of noise
  frames.push({ type: FrameType.SYNC_PAGE, compressed: true, body: deflateRawSync(new Uint8Array(4 * 1024 * 1024)) });
  frames.push({ type: 0x7e, compressed: false, body: Uint8Array.of(1, 2, 3) });
  frames.push({ type: FrameType.SEND, compressed: true, body: createSeededRandom(99).bytes(40) });
  return frames.map(encodeFrame);
}

type Mutation = (bytes: Uint8Array, random: SeededRandom, maxFrameBytes: number) => Uint8Array;

const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => Buffer.concat(parts.map((part) => Uint8Array.from(part)));

const mutations: Mutation[] = [
  function flipBits(bytes, random) {
    const out = Uint8Array.from(bytes);
    for (let n = random.between(1, 4); n > 0 && out.length > 0; n--) out[random.below(out.length)]! ^= 1 << random.below(8);
    return out;
  },
  function truncate(bytes, random) {
    return bytes.subarray(0, random.below(bytes.length + 1));
  },
  function insertBytes(bytes, random) {
    const at = random.below(bytes.length + 1);
    return concat(bytes.subarray(0, at), random.bytes(random.between(1, 8)), bytes.subarray(at));
  },
  function deleteRange(bytes, random) {
    const at = random.below(bytes.length + 1);
    return concat(bytes.subarray(0, at), bytes.subarray(at + random.between(1, 16)));
  },
  function duplicateRange(bytes, random) {
    const at = random.below(bytes.length + 1);
    const piece = bytes.subarray(at, at + random.between(1, 64));
    return concat(bytes.subarray(0, at), piece, piece, bytes.subarray(at + piece.length));
  },
  function hugeLengthPrefix(bytes, random, maxFrameBytes) {
    const huge = random.between(maxFrameBytes + 1, 2 ** 28 - 1);
    return concat(varint(huge), bytes);
  },
  function fiveByteLengthPrefix(bytes, random) {
    return concat([0x80 | random.below(128), 0x80 | random.below(128), 0x80 | random.below(128), 0x80 | random.below(128), random.below(128)], bytes);
  },
  function lengthPrefixAtTheLimit(bytes, _random, maxFrameBytes) {
    // a legal but large frame whose body never fully arrives: the decoder holds at most the limit
    return concat(varint(maxFrameBytes - 3), bytes);
  },
  function reservedFlag(bytes, random) {
    const out = Uint8Array.from(bytes);
    if (out.length > 2) out[2] = out[2]! | (4 << random.below(6));
    return out;
  },
];

function mutatedStream(pool: readonly Uint8Array[], random: SeededRandom, maxFrameBytes: number): Uint8Array {
  let stream = concat(...Array.from({ length: random.between(1, 4) }, () => random.pick(pool)));
  for (let n = random.between(1, 3); n > 0; n--) stream = random.pick(mutations)(stream, random, maxFrameBytes);
  return stream;
}

const FRAME_LIMITS = [64, 1024, 16 * 1024, DEFAULT_WIRE_LIMITS.maxFrameBytes];
const BODY_LIMITS = [256, DEFAULT_WIRE_LIMITS.maxBodyBytes];

function expectClean(tally: FuzzTally, minimumCases: number): void {
  expect(tally.failures).toEqual([]);
  expect(tally.cases).toBeGreaterThanOrEqual(minimumCases);
}

describe('fuzzing the decoder (fixed seeds)', () => {
  it('the reference model agrees with the decoder on valid streams', () => {
    const pool = framePool();
    const tally = newTally();
    runCase({ stream: concat(...pool), maxFrameBytes: DEFAULT_WIRE_LIMITS.maxFrameBytes, maxBodyBytes: DEFAULT_WIRE_LIMITS.maxBodyBytes }, createSeededRandom(1), tally, 'pool');
    expectClean(tally, 1);
    expect(tally.codes.get(ErrorCode.BODY_TOO_LARGE)).toBe(1); // the bomb, and only it
    expect(tally.codes.get(ErrorCode.UNKNOWN_FRAME_TYPE)).toBe(1);
    expect(tally.codes.get(ErrorCode.DECOMPRESSION_FAILED)).toBe(1);
  });

  it('40,000 random buffers: only MagpieError, bounded memory, errors at the right byte', () => {
    const random = createSeededRandom(0x6d61_6770);
    const tally = newTally();
    for (let i = 0; i < 40_000; i++) {
      const stream = random.bytes(random.below(96));
      runCase({ stream, maxFrameBytes: random.pick(FRAME_LIMITS), maxBodyBytes: random.pick(BODY_LIMITS) }, random, tally, `random #${i}`);
    }
    expectClean(tally, 40_000);
    for (const code of FUZZ_FRAMING_CODES) expect(tally.codes.get(code) ?? 0).toBeGreaterThan(100);
  }, 60_000);

  it('70,000 mutated frame streams: only MagpieError, bounded memory, errors at the right byte', () => {
    const pool = framePool();
    const random = createSeededRandom(0x6965_2032);
    const tally = newTally();
    for (let i = 0; i < 70_000; i++) {
      const maxFrameBytes = random.pick(FRAME_LIMITS);
      const stream = mutatedStream(pool, random, maxFrameBytes);
      runCase({ stream, maxFrameBytes, maxBodyBytes: random.pick(BODY_LIMITS) }, random, tally, `mutated #${i}`);
    }
    expectClean(tally, 70_000);
    for (const code of [...FUZZ_FRAMING_CODES, ...FUZZ_BODY_CODES]) expect(tally.codes.get(code) ?? 0).toBeGreaterThan(50);
    expect(tally.framesDecoded).toBeGreaterThan(10_000);
  }, 60_000);
});
