import { describe, expect, it } from 'vitest';
import {
  bodyFrame,
  decodeFrame,
  DEFAULT_WIRE_LIMITS,
  emptyFrame,
  encodeFrame,
  FrameDecoder,
  frameBodySchemas,
  FrameType,
  type BodyFrameName,
  type EmptyFrameName,
  type Frame,
  type FrameName,
} from '../../../protocol';
import { createSeededRandom } from './seeded-random';
import { expectedBody, largeBodies, sampleBodies, withPlainBytes, type BodyInit } from './sample-bodies';

const limits = DEFAULT_WIRE_LIMITS;
const threshold = limits.compressThresholdBytes;

const allNames = Object.keys(FrameType) as FrameName[];
const bodyNames = allNames.filter((name): name is BodyFrameName => frameBodySchemas[name] !== undefined);
const emptyNames = allNames.filter((name): name is EmptyFrameName => frameBodySchemas[name] === undefined);
const largeNames = bodyNames.filter((name) => largeBodies[name] !== undefined);

/** A frame with its body as a plain Uint8Array (deflate hands back a Buffer), for comparing. */
function plain(frame: Frame): Frame {
  return { ...frame, body: Uint8Array.from(frame.body) };
}

/** Sends one frame through the whole path a socket would: bytes out, decoder in. */
function throughTheWire(frame: Frame): Frame {
  const decoder = new FrameDecoder({ maxFrameBytes: limits.maxFrameBytes });
  const frames = decoder.push(encodeFrame(frame));
  expect(frames).toHaveLength(1);
  expect(decoder.bufferedBytes).toBe(0);
  return frames[0]!;
}

function roundTrip<N extends BodyFrameName>(name: N, init: BodyInit<N>, requestId: number | undefined) {
  const frame = bodyFrame(name, init, { requestId, compressThresholdBytes: threshold });
  const received = throughTheWire(frame);
  expect(plain(received)).toEqual(plain(frame));
  const decoded = decodeFrame(received, limits);
  expect(decoded.name).toBe(name);
  expect(decoded.requestId).toBe(requestId);
  expect(withPlainBytes(decoded.body)).toEqual(expectedBody(name, init));
  return frame;
}

describe('every frame type survives the wire', () => {
  it('the frame table covers the body table exactly', () => {
    expect(Object.keys(frameBodySchemas).sort()).toEqual([...allNames].sort());
    expect(emptyNames.sort()).toEqual(['PING', 'PONG']);
    expect(new Set(Object.values(FrameType)).size).toBe(allNames.length);
  });

  describe.each(bodyNames)('%s', (name) => {
    it('round trips a realistic body as a push (no request id)', () => {
      const frame = roundTrip(name, sampleBodies[name], undefined);
      expect(frame.requestId).toBeUndefined();
    });

    it('round trips a realistic body as a request or response (with request id)', () => {
      roundTrip(name, sampleBodies[name], 1);
      roundTrip(name, sampleBodies[name], 300);
      roundTrip(name, sampleBodies[name], 0xffff_ffff);
    });

    it('a small body is never compressed', () => {
      const frame = roundTrip(name, sampleBodies[name], 42);
      expect(frame.body.length).toBeLessThanOrEqual(threshold);
      expect(frame.compressed).toBe(false);
    });
  });

  describe.each(largeNames)('%s with a large body', (name) => {
    it('comes out compressed and round trips, with and without request id', () => {
      const init = largeBodies[name]!;
      const plain = bodyFrame(name, init);
      expect(plain.body.length).toBeGreaterThan(threshold);
      for (const requestId of [undefined, 77]) {
        const frame = roundTrip(name, init, requestId);
        expect(frame.compressed).toBe(true);
        expect(frame.body.length).toBeLessThan(plain.body.length);
      }
    });
  });

  describe.each(emptyNames)('%s', (name) => {
    it('round trips with and without request id, with no body', () => {
      for (const requestId of [undefined, 9]) {
        const frame = emptyFrame(name, { requestId });
        expect(throughTheWire(frame)).toEqual(frame);
        const decoded = decodeFrame(frame, limits);
        expect(decoded).toEqual(requestId === undefined ? { name, body: undefined } : { name, requestId, body: undefined });
      }
    });
  });
});

describe('compression threshold', () => {
  const bodyOfSize = (text: string) => ({ clientMsgId: new Uint8Array(16), to: 'bob', text });

  const textFillingThreshold = (): string => {
    let text = 'a'.repeat(threshold);
    while (bodyFrame('SEND', bodyOfSize(text)).body.length > threshold) text = text.slice(1);
    return text;
  };

  it('a compressible body just at the threshold travels plain', () => {
    const text = textFillingThreshold();
    const frame = bodyFrame('SEND', bodyOfSize(text), { compressThresholdBytes: threshold });
    expect(frame.body.length).toBe(threshold);
    expect(frame.compressed).toBe(false);
  });

  it('a compressible body one byte above the threshold is deflated', () => {
    const text = textFillingThreshold() + 'a';
    expect(bodyFrame('SEND', bodyOfSize(text)).body.length).toBe(threshold + 1);
    const frame = bodyFrame('SEND', bodyOfSize(text), { compressThresholdBytes: threshold });
    expect(frame.compressed).toBe(true);
    expect(withPlainBytes(decodeFrame(frame, limits).body)).toEqual(expectedBody('SEND', bodyOfSize(text)));
  });

  it('an incompressible body above the threshold travels plain rather than grow', () => {
    const noise = createSeededRandom(7).bytes(4000);
    const init = { command: 'blob', payload: noise };
    const frame = bodyFrame('SEND', { clientMsgId: new Uint8Array(16), to: 'bob', custom: init }, { compressThresholdBytes: threshold });
    expect(frame.compressed).toBe(false);
  });

  it('without a threshold nothing is compressed', () => {
    expect(bodyFrame('SYNC_PAGE', largeBodies.SYNC_PAGE!).compressed).toBe(false);
  });
});
