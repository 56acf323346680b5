import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bodyFrame,
  decodeFrame,
  encodeFrame,
  encodeFrames,
  FrameDecoder,
  MAX_REQUEST_ID,
  pb,
  type BodyFrameName,
  type Frame,
} from '../../../protocol';
import { expectedBody, withPlainBytes, type BodyInit } from './sample-bodies';

const limits = { maxFrameBytes: 64 * 1024, maxBodyBytes: 1024 * 1024 };
const runs = { numRuns: 300, seed: 20_261_128 };

const frameArb: fc.Arbitrary<Frame> = fc
  .record({
    type: fc.integer({ min: 0, max: 0xff }),
    compressed: fc.boolean(),
    requestId: fc.option(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: MAX_REQUEST_ID })), { nil: undefined }),
    body: fc.uint8Array({ maxLength: 3000 }),
  })
  .map(({ requestId, ...rest }) => (requestId === undefined ? rest : { ...rest, requestId }));

function asHex(frames: readonly Frame[]): object[] {
  return frames.map((frame) => ({ ...frame, body: Buffer.from(frame.body).toString('hex') }));
}

/** Feeds bytes cut at the given points (taken modulo the length) and collects the frames. */
function decodeInPieces(bytes: Uint8Array, cuts: readonly number[]): Frame[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const decoder = new FrameDecoder(limits);
  const frames: Frame[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    frames.push(...decoder.push(bytes.subarray(from, point)));
    from = point;
  }
  expect(decoder.bufferedBytes).toBe(0);
  return frames;
}

describe('framing properties', () => {
  it('decode(encode(frame)) equals the frame, for any type byte, flags, request id and body', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        expect(asHex(new FrameDecoder(limits).push(encodeFrame(frame)))).toEqual(asHex([frame]));
      }),
      runs,
    );
  });

  it('a stream of frames cut anywhere decodes to the same frames', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
        expect(asHex(decodeInPieces(encodeFrames(frames), cuts))).toEqual(asHex(frames));
      }),
      runs,
    );
  });
});

// ---- bodies ----------------------------------------------------------------------------------

const text = fc.string({ unit: 'binary', maxLength: 40 });
const ids = fc.array(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }), { maxLength: 6 });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const enumOf = (values: readonly number[]) => fc.constantFrom(...values);
const numericValues = (e: object) => Object.values(e).filter((v): v is number => typeof v === 'number');

const media = fc.record({
  fileId: text,
  name: text,
  size: u64,
  mime: text,
  durationMs: u32,
  width: u32,
  height: u32,
  thumbnailId: text,
  sha256: text,
});
// -0 travels as 0 (proto3 omits a zero), so it cannot round trip as -0
const coordinate = fc.double().map((value) => (Object.is(value, -0) ? 0 : value));
const location = fc.record({ latitude: coordinate, longitude: coordinate, title: text, address: text });
const custom = fc.record({ command: text, payload: fc.uint8Array({ maxLength: 200 }), transient: fc.boolean(), silent: fc.boolean() });

const send: fc.Arbitrary<BodyInit<'SEND'>> = fc.record(
  {
    clientMsgId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    to: text,
    type: enumOf(numericValues(pb.MessageType)),
    text: fc.string({ unit: 'binary', maxLength: 2000 }),
    mentions: ids,
    mentionAll: fc.boolean(),
    media,
    location,
    custom,
    burnAfterReading: fc.boolean(),
  },
  { requiredKeys: ['clientMsgId', 'to', 'text'] },
);

const message = fc.record(
  {
    msgId: u64,
    from: text,
    to: text,
    text: fc.string({ unit: 'binary', maxLength: 500 }),
    timeMs: u64,
    type: enumOf(numericValues(pb.MessageType)),
    mentions: ids,
    mentionAll: fc.boolean(),
    media,
    location,
    custom,
    burnAfterReading: fc.boolean(),
    clientMsgId: fc.uint8Array({ maxLength: 16 }),
  },
  { requiredKeys: ['msgId', 'from', 'to'] },
);

const notice = fc.record({
  kind: enumOf(numericValues(pb.NoticeKind)),
  groupId: text,
  actor: text,
  targets: ids,
  text,
  timeMs: u64,
  role: enumOf(numericValues(pb.GroupRole)),
  muteUntilMs: u64,
  groupName: text,
  requestId: u64,
});

const entry: fc.Arbitrary<BodyInit<'PUSH'>> = fc.record({
  seq: u64,
  item: fc.oneof(
    fc.record({ case: fc.constant('message' as const), value: message }),
    fc.record({ case: fc.constant('notice' as const), value: notice }),
    fc.record({ case: fc.constant('revoked' as const), value: fc.record({ msgId: u64, by: text, conversation: text, timeMs: u64 }) }),
    fc.record({ case: fc.constant('read' as const), value: fc.record({ reader: text, conversation: text, upToMsgId: u64, timeMs: u64 }) }),
    fc.record({ case: fc.constant('burned' as const), value: fc.record({ msgId: u64, conversation: text }) }),
  ),
});

const syncPage: fc.Arbitrary<BodyInit<'SYNC_PAGE'>> = fc.record({
  entries: fc.array(entry, { maxLength: 30 }),
  maxSeq: u64,
  more: fc.boolean(),
});

const login: fc.Arbitrary<BodyInit<'LOGIN'>> = fc.record({
  auth: enumOf(numericValues(pb.AuthType)),
  appId: text,
  user: text,
  secret: text,
  timestamp: text,
  signatureAlgorithm: enumOf(numericValues(pb.SignatureAlgorithm)),
  device: enumOf(numericValues(pb.DeviceKind)),
  mode: enumOf(numericValues(pb.LoginMode)),
  deviceId: text,
});

const groupRequest: fc.Arbitrary<BodyInit<'GROUP'>> = fc.record({
  op: fc.oneof(
    fc.record({
      case: fc.constant('create' as const),
      value: fc.record({
        name: text,
        type: enumOf(numericValues(pb.GroupType)),
        mode: enumOf(numericValues(pb.GroupMode)),
        announcement: text,
        members: ids,
        inviteConfirm: fc.boolean(),
      }),
    }),
    fc.record({
      case: fc.constant('modify' as const),
      value: fc.record(
        { groupId: text, name: text, announcement: text, mode: enumOf(numericValues(pb.GroupMode)), inviteConfirm: fc.boolean() },
        { requiredKeys: ['groupId'] },
      ),
    }),
    fc.record({ case: fc.constant('kick' as const), value: fc.record({ groupId: text, users: ids, reason: text }) }),
    fc.record({ case: fc.constant('mute' as const), value: fc.record({ groupId: text, user: text, seconds: u32 }) }),
    fc.record({ case: fc.constant('listMine' as const), value: fc.constant({}) }),
  ),
});

const options = fc.record({
  requestId: fc.option(fc.integer({ min: 0, max: MAX_REQUEST_ID }), { nil: undefined }),
  compressThresholdBytes: fc.option(fc.integer({ min: 0, max: 1024 }), { nil: undefined }),
});

function bodyProperty<N extends BodyFrameName>(name: N, arb: fc.Arbitrary<BodyInit<N>>) {
  return fc.property(arb, options, (init, opts) => {
    const frame = bodyFrame(name, init, opts);
    const threshold = opts.compressThresholdBytes ?? Infinity;
    if (frame.body.length <= threshold) expect(frame.compressed).toBe(false);
    const [received] = new FrameDecoder(limits).push(encodeFrame(frame));
    const decoded = decodeFrame(received!, limits);
    expect(decoded.name).toBe(name);
    expect(decoded.requestId).toBe(opts.requestId);
    expect(withPlainBytes(decoded.body)).toEqual(expectedBody(name, init));
  });
}

describe('body properties: decode(encode(body)) equals the body', () => {
  it('SEND', () => fc.assert(bodyProperty('SEND', send), runs));
  it('PUSH (an inbox entry of any kind)', () => fc.assert(bodyProperty('PUSH', entry), runs));
  it('SYNC_PAGE', () => fc.assert(bodyProperty('SYNC_PAGE', syncPage), { ...runs, numRuns: 100 }));
  it('LOGIN', () => fc.assert(bodyProperty('LOGIN', login), runs));
  it('GROUP', () => fc.assert(bodyProperty('GROUP', groupRequest), runs));
});
