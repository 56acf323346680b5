import { describe, expect, it } from 'vitest';
import {
  bodyFrame,
  decodeFrame,
  DEFAULT_WIRE_LIMITS,
  emptyFrame,
  encodeFrame,
  encodeFrames,
  FrameBatcher,
  FrameDecoder,
  MagpieError,
  type BodyFrameName,
  type Frame,
} from '../../../protocol';
import { largeBodies, sampleBodies } from './sample-bodies';
import { createSeededRandom, randomSplits } from './seeded-random';

const limits = DEFAULT_WIRE_LIMITS;

/** A session's worth of frames: every type, pushes and requests, plain and compressed. */
function sessionFrames(): Frame[] {
  const frames: Frame[] = [emptyFrame('PING'), emptyFrame('PONG', { requestId: 3 })];
  let requestId = 1;
  for (const name of Object.keys(sampleBodies) as BodyFrameName[]) {
    frames.push(bodyFrame(name, sampleBodies[name] as never, { requestId: requestId++ }));
    frames.push(bodyFrame(name, sampleBodies[name] as never));
    const large = largeBodies[name];
    if (large) frames.push(bodyFrame(name, large as never, { compressThresholdBytes: limits.compressThresholdBytes }));
  }
  return frames;
}

/** Frames in a form that compares fast: bodies as hex. */
function plain(frames: readonly Frame[]): object[] {
  return frames.map((frame) => ({ ...frame, body: Buffer.from(frame.body).toString('hex') }));
}

function decodeAll(chunks: readonly Uint8Array[]): { frames: Frame[]; maxBuffered: number } {
  const decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
  const frames: Frame[] = [];
  let maxBuffered = 0;
  for (const chunk of chunks) {
    frames.push(...decoder.push(chunk));
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
  }
  expect(decoder.bufferedBytes).toBe(0);
  return { frames, maxBuffered };
}

describe('the streaming decoder', () => {
  const frames = sessionFrames();
  const stream = encodeFrames(frames);

  it('gives back many frames from one chunk, in order', () => {
    const { frames: received, maxBuffered } = decodeAll([stream]);
    expect(plain(received)).toEqual(plain(frames));
    expect(maxBuffered).toBe(0);
    for (const frame of received) expect(() => decodeFrame(frame, limits)).not.toThrow();
  });

  it('gives back the same frames when fed one byte at a time', () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(plain(decodeAll(bytes).frames)).toEqual(plain(frames));
  });

  it('gives back the same frames for random splits of the stream', () => {
    const random = createSeededRandom(20_261_128);
    for (let round = 0; round < 500; round++) {
      const chunks = randomSplits(stream, random, 40);
      expect(plain(decodeAll(chunks).frames)).toEqual(plain(frames));
    }
  });

  it('holds only the frame being assembled, never more than its length', () => {
    const big = encodeFrame(bodyFrame('SYNC_PAGE', largeBodies.SYNC_PAGE!));
    const decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
    const half = Math.floor(big.length / 2);
    expect(decoder.push(big.subarray(0, half))).toEqual([]);
    expect(decoder.bufferedBytes).toBeLessThan(big.length);
    expect(decoder.bufferedBytes).toBeGreaterThan(0);
    expect(decoder.push(big.subarray(half))).toHaveLength(1);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('a frame split inside its length prefix and inside its request id still decodes', () => {
    const frame = bodyFrame('SYNC_PAGE', largeBodies.SYNC_PAGE!, { requestId: 0x0fff_ffff });
    const bytes = encodeFrame(frame);
    // prefix is 2 bytes (the body is a few KB), the request id 4: cut inside both
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 5), bytes.subarray(5, 6), bytes.subarray(6)];
    expect(plain(decodeAll(chunks).frames)).toEqual(plain([frame]));
  });
});

describe('merging frames into one write', () => {
  it('frames queued in one tick go out in one write, in order', async () => {
    const writes: Uint8Array[] = [];
    const batcher = new FrameBatcher((bytes) => writes.push(bytes));
    const queued = [emptyFrame('PONG'), bodyFrame('SENT', sampleBodies.SENT, { requestId: 5 }), bodyFrame('PUSH', sampleBodies.PUSH)];
    for (const frame of queued) batcher.enqueue(frame);
    expect(writes).toHaveLength(0);
    expect(batcher.pending).toBe(3);
    await Promise.resolve();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toEqual(encodeFrames(queued));
    expect(plain(decodeAll(writes).frames)).toEqual(plain(queued));
    expect(batcher.pending).toBe(0);
  });

  it('frames queued in a later tick go out in a second write', async () => {
    const writes: Uint8Array[] = [];
    const batcher = new FrameBatcher((bytes) => writes.push(bytes));
    batcher.enqueue(emptyFrame('PING'));
    await Promise.resolve();
    batcher.enqueue(emptyFrame('PING'));
    batcher.enqueue(emptyFrame('PING'));
    await Promise.resolve();
    expect(writes.map((bytes) => bytes.length)).toEqual([3, 6]);
  });

  it('a frame that cannot be encoded is refused at enqueue and does not spoil the batch', async () => {
    const writes: Uint8Array[] = [];
    const batcher = new FrameBatcher((bytes) => writes.push(bytes));
    batcher.enqueue(emptyFrame('PING'));
    expect(() => batcher.enqueue({ type: 0x100, compressed: false, body: new Uint8Array(0) })).toThrow(MagpieError);
    expect(() => batcher.enqueue({ ...emptyFrame('PING'), requestId: -1 })).toThrow(MagpieError);
    await Promise.resolve();
    expect(writes).toEqual([encodeFrame(emptyFrame('PING'))]);
  });

  it('uses the scheduler it is given, and an explicit flush writes at once', () => {
    const writes: Uint8Array[] = [];
    const scheduled: (() => void)[] = [];
    const batcher = new FrameBatcher((bytes) => writes.push(bytes), (flush) => scheduled.push(flush));
    batcher.enqueue(emptyFrame('PING'));
    batcher.enqueue(emptyFrame('PING'));
    expect(scheduled).toHaveLength(1);
    batcher.flush();
    expect(writes).toHaveLength(1);
    scheduled[0]!();
    expect(writes).toHaveLength(1);
  });
});
