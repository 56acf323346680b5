import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { decodeSend, encodeMessage, encodeSent, pb } from '../../../protocol';
import { createSeededRandom, type SeededRandom } from './seeded-random';

// The hand-written codecs stand in for protobuf-es on the hot path: each must give exactly what
// toBinary / fromBinary give, for every body, including the ones it hands back to protobuf-es.

// around the writer's one-byte length prefix (below 43 UTF-16 units), lone surrogates, a long text
const TEXTS = [
  '', 'hi', 'héllo wörld', '你好，世界', '😀 emoji', 'x'.repeat(300), '\u0000nul', 'a\u2028b',
  'a'.repeat(42), 'a'.repeat(43), 'é'.repeat(42), 'é'.repeat(64), '你'.repeat(42), '😀'.repeat(21), '😀'.repeat(22),
  'lone \ud800 high', 'lone \udc00 low', 'end \ud83d',
];
const USERS = ['', 'alice', 'bob-2', 'u'.repeat(64), 'g123'];

function randomString(random: SeededRandom): string {
  return random.pick(TEXTS) + (random.below(3) === 0 ? random.pick(USERS) : '');
}

function randomBig(random: SeededRandom): bigint {
  switch (random.below(4)) {
    case 0:
      return 0n;
    case 1:
      return BigInt(random.between(1, 127));
    case 2:
      return BigInt(random.between(128, 2 ** 31));
    default:
      return (BigInt(random.between(0, 2 ** 31)) << 32n) | BigInt(random.between(0, 2 ** 31));
  }
}

function randomMessageInit(random: SeededRandom): MessageInitShape<typeof pb.MessageSchema> {
  const init: MessageInitShape<typeof pb.MessageSchema> = {
    msgId: randomBig(random),
    from: random.pick(USERS),
    to: random.pick(USERS),
    text: randomString(random),
    timeMs: randomBig(random),
    type: random.pick([0, 1, 2, 3, 4, 5, 6, 7, 99, -1]) as pb.MessageType,
    mentions: Array.from({ length: random.below(4) }, () => random.pick(USERS)),
    mentionAll: random.below(2) === 0,
    burnAfterReading: random.below(2) === 0,
    clientMsgId: random.bytes(random.pick([0, 8, 16, 32])),
    withheld: random.below(4) === 0,
  };
  // the shapes the fast path leaves to protobuf-es
  switch (random.below(8)) {
    case 0:
      init.media = { fileId: 'f1', name: 'a.png', size: 12n, mime: 'image/png' };
      break;
    case 1:
      init.location = { latitude: 1.5, longitude: -2.25, title: 'here' };
      break;
    case 2:
      init.custom = { command: 'card', payload: random.bytes(5) };
      break;
  }
  return init;
}

describe('encodeMessage', () => {
  it('gives the bytes of toBinary for 2,000 random messages', () => {
    const random = createSeededRandom(14);
    for (let i = 0; i < 2_000; i++) {
      const message = create(pb.MessageSchema, randomMessageInit(random));
      expect(encodeMessage(message)).toEqual(toBinary(pb.MessageSchema, message));
    }
  });

  it('gives the bytes of toBinary for a text whose length takes three bytes', () => {
    const message = create(pb.MessageSchema, { msgId: 5n, from: 'alice', text: '你'.repeat(20_000), mentions: ['😀'.repeat(100)] });
    expect(Buffer.from(encodeMessage(message)).equals(Buffer.from(toBinary(pb.MessageSchema, message)))).toBe(true);
  });

  it('gives each body bytes of its own, which later encodings (into the shared buffer of the writers) leave as they were', () => {
    const random = createSeededRandom(15);
    const messages = Array.from({ length: 200 }, () => create(pb.MessageSchema, randomMessageInit(random)));
    // long enough for a writer of its own, then short ones again: each kept body is checked at the end
    messages.push(create(pb.MessageSchema, { text: 'x'.repeat(30_000) }), create(pb.MessageSchema, { text: 'after' }));
    const bodies = messages.map((message) => encodeMessage(message));
    const sent = encodeSent(1n, 2n, 3n);
    encodeMessage(create(pb.MessageSchema, { from: 'z'.repeat(500), text: 'z'.repeat(500) }));
    messages.forEach((message, i) => expect(bodies[i]).toEqual(toBinary(pb.MessageSchema, message)));
    expect(sent).toEqual(toBinary(pb.SentSchema, create(pb.SentSchema, { msgId: 1n, timeMs: 2n, seq: 3n })));
  });

  it('gives the bytes of toBinary for an empty message and for one carrying unknown fields', () => {
    expect(encodeMessage(create(pb.MessageSchema))).toEqual(toBinary(pb.MessageSchema, create(pb.MessageSchema)));
    const withUnknown = new BinaryWriter().tag(4, WireType.LengthDelimited).string('hi').tag(99, WireType.Varint).uint32(7).finish();
    const decoded = fromBinary(pb.MessageSchema, withUnknown);
    expect(encodeMessage(decoded)).toEqual(toBinary(pb.MessageSchema, decoded));
    expect(encodeMessage(decoded)).toEqual(withUnknown);
  });
});

/** What a call gives, or the error it throws (for values protobuf-es refuses). */
function result(encode: () => Uint8Array): { ok: Uint8Array } | { error: string } {
  try {
    return { ok: encode() };
  } catch (error) {
    return { error: String(error) };
  }
}

describe('encodeMessage and encodeSent on values protobuf-es refuses', () => {
  it('throw as toBinary throws', () => {
    const bad: MessageInitShape<typeof pb.MessageSchema>[] = [{ msgId: -1n }, { timeMs: 1n << 64n }, { type: 2 ** 31 }, { type: 1.5 }];
    for (const init of bad) {
      const message = { ...create(pb.MessageSchema), ...init } as pb.Message;
      const reference = result(() => toBinary(pb.MessageSchema, message));
      expect('error' in reference).toBe(true);
      expect(result(() => encodeMessage(message))).toEqual(reference);
    }
    const sent = result(() => encodeSent(-1n, 0n, 0n));
    expect(sent).toEqual(result(() => toBinary(pb.SentSchema, { ...create(pb.SentSchema), msgId: -1n })));
    expect('error' in sent).toBe(true);
    const badTimeline = result(() => encodeSent(1n, 0n, 0n, 1n << 64n));
    expect(badTimeline).toEqual(result(() => toBinary(pb.SentSchema, { ...create(pb.SentSchema), msgId: 1n, timelineSeq: 1n << 64n })));
    expect('error' in badTimeline).toBe(true);
  });

  it('give what toBinary gives for a 64-bit field holding a number, not a bigint', () => {
    for (const msgId of [0, 7]) {
      const message = { ...create(pb.MessageSchema), text: 'hi', msgId } as unknown as pb.Message;
      expect(result(() => encodeMessage(message))).toEqual(result(() => toBinary(pb.MessageSchema, message)));
    }
  });
});

describe('encodeSent', () => {
  it('gives the bytes of toBinary for SENT bodies, zeros, 64-bit values and a timeline seq included', () => {
    const random = createSeededRandom(15);
    const cases: [bigint, bigint, bigint, bigint][] = [
      [0n, 0n, 0n, 0n],
      [1n, 0n, 0n, 0n],
      [0n, 1_700_000_000_000n, 0n, 0n],
      [2n ** 64n - 1n, 2n ** 63n, 1n, 0n],
      [1001n, 1_700_000_000_000n, 57n, 12n],
      [0n, 0n, 0n, 2n ** 64n - 1n],
    ];
    for (let i = 0; i < 1_000; i++) cases.push([randomBig(random), randomBig(random), randomBig(random), i % 2 === 0 ? 0n : randomBig(random)]);
    for (const [msgId, timeMs, seq, timelineSeq] of cases) {
      expect(encodeSent(msgId, timeMs, seq, timelineSeq)).toEqual(toBinary(pb.SentSchema, create(pb.SentSchema, { msgId, timeMs, seq, timelineSeq })));
    }
    // without a timeline seq: the bytes of a SENT before the field existed
    expect(encodeSent(7n, 8n, 9n)).toEqual(toBinary(pb.SentSchema, create(pb.SentSchema, { msgId: 7n, timeMs: 8n, seq: 9n })));
  });
});

/** What decodeSend gives, or the error it throws; the same for fromBinary. */
function outcome(decode: () => pb.Send): { ok: pb.Send } | { error: string } {
  try {
    return { ok: decode() };
  } catch (error) {
    return { error: String(error) };
  }
}

function expectDecodesAsProtobufEs(bytes: Uint8Array): void {
  const fast = outcome(() => decodeSend(bytes));
  const reference = outcome(() => fromBinary(pb.SendSchema, bytes));
  expect(fast).toEqual(reference);
  if ('ok' in fast && 'ok' in reference) {
    // the same object: same keys in the same order, unknown fields included
    expect(Object.keys(fast.ok)).toEqual(Object.keys(reference.ok));
    expect(toBinary(pb.SendSchema, fast.ok)).toEqual(toBinary(pb.SendSchema, reference.ok));
  }
}

describe('decodeSend', () => {
  it('gives what fromBinary gives for 2,000 random SEND bodies', () => {
    const random = createSeededRandom(16);
    for (let i = 0; i < 2_000; i++) {
      const message = randomMessageInit(random);
      const send = create(pb.SendSchema, {
        clientMsgId: message.clientMsgId,
        to: message.to,
        type: message.type,
        text: message.text,
        mentions: message.mentions,
        mentionAll: message.mentionAll,
        burnAfterReading: message.burnAfterReading,
        media: message.media,
        location: message.location,
        custom: message.custom,
      });
      expectDecodesAsProtobufEs(toBinary(pb.SendSchema, send));
    }
  });

  it('gives what fromBinary gives for bodies off the common shape: repeated fields, unknown fields, other wire types', () => {
    const w = () => new BinaryWriter();
    const bodies = [
      new Uint8Array(0),
      // a scalar twice: the last one wins
      w().tag(2, WireType.LengthDelimited).string('a').tag(2, WireType.LengthDelimited).string('b').finish(),
      w().tag(6, WireType.Varint).bool(true).tag(6, WireType.Varint).bool(false).finish(),
      // an unknown field, before and after known ones
      w().tag(99, WireType.Varint).uint32(1).tag(4, WireType.LengthDelimited).string('hi').finish(),
      w().tag(4, WireType.LengthDelimited).string('hi').tag(11, WireType.Bit32).fixed32(5).finish(),
      // a known field in the wrong wire type
      w().tag(2, WireType.Varint).uint32(3).finish(),
      w().tag(3, WireType.LengthDelimited).bytes(new Uint8Array([1])).finish(),
      // an unknown enum value and a negative one
      w().tag(3, WireType.Varint).int32(77).finish(),
      w().tag(3, WireType.Varint).int32(-5).finish(),
      // a bool as a large varint
      w().tag(10, WireType.Varint).uint64(2n ** 40n).finish(),
      // invalid UTF-8 in a string field
      w().tag(4, WireType.LengthDelimited).bytes(new Uint8Array([0xff, 0xfe])).finish(),
      w().tag(5, WireType.LengthDelimited).bytes(new Uint8Array([0xc3])).finish(),
      // cut short, a length past the end, a varint that never ends
      w().tag(4, WireType.LengthDelimited).string('hello').finish().subarray(0, 4),
      new Uint8Array([0x22, 0x7f, 0x41]),
      new Uint8Array([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      new Uint8Array([0x00]),
      new Uint8Array([0x0f]),
    ];
    for (const body of bodies) expectDecodesAsProtobufEs(body);
  });

  it('gives what fromBinary gives for 2,000 random byte strings and mutated bodies', () => {
    const random = createSeededRandom(17);
    const sample = toBinary(pb.SendSchema, create(pb.SendSchema, { clientMsgId: random.bytes(16), to: 'bob', type: pb.MessageType.TEXT, text: 'hello there' }));
    for (let i = 0; i < 2_000; i++) {
      if (random.below(2) === 0) {
        expectDecodesAsProtobufEs(random.bytes(random.below(40)));
      } else {
        const mutated = Uint8Array.from(sample);
        for (let k = random.between(1, 3); k > 0; k--) mutated[random.below(mutated.length)] = random.below(256);
        expectDecodesAsProtobufEs(mutated.subarray(0, random.between(0, mutated.length)));
      }
    }
  });
});

describe('the fields the hand-written codecs know', () => {
  // a field added to one of these messages must be taught to protocol/fast-codec.ts (or sent to
  // protobuf-es by isCommonMessage), else encodeMessage would leave it out without a word
  it('are every field of Message, Send and Sent', () => {
    const fields = (schema: { fields: readonly { number: number; localName: string }[] }) => schema.fields.map((f) => `${f.number}:${f.localName}`);
    expect(fields(pb.MessageSchema)).toEqual([
      '1:msgId', '2:from', '3:to', '4:text', '5:timeMs', '6:type', '7:mentions', '8:mentionAll',
      // 9-11 go to protobuf-es
      '9:media', '10:location', '11:custom',
      '12:burnAfterReading', '13:clientMsgId', '14:withheld',
    ]);
    expect(fields(pb.SendSchema)).toEqual(['1:clientMsgId', '2:to', '3:type', '4:text', '5:mentions', '6:mentionAll', '7:media', '8:location', '9:custom', '10:burnAfterReading']);
    expect(fields(pb.SentSchema)).toEqual(['1:clientMsgId', '2:msgId', '3:timeMs', '4:seq', '5:timelineSeq']);
  });
});
