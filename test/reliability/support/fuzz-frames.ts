import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { bodyFrame, emptyFrame, encodeFrame, FrameType, pb, PROTOCOL_MAJOR, PROTOCOL_MINOR, type Frame } from '../../../protocol';

/** One fuzzed frame's bytes, and whether it was left well-formed (the server should answer, not close). */
export interface FuzzedFrame {
  readonly bytes: Uint8Array;
  readonly wellFormed: boolean;
}

/** Where the fuzzer logs in, so that some of its frames reach the handlers behind the login. */
export interface FuzzLogin {
  readonly appId: string;
  readonly appToken: string;
}

/**
 * Frames for one fuzz connection: an opening (HELLO, then a LOGIN that may be good, bad or
 * garbled), then a stream where most frames are valid requests with random fields or mutated
 * bodies that still parse, and some are broken on purpose: flipped bits, cut lengths, huge length
 * prefixes, unknown types and flags, deflate flags on garbage, or plain random bytes.
 */
export function createFrameFuzzer(random: () => number, login: FuzzLogin) {
  const int = (below: number) => Math.floor(random() * below);
  const bytes = (length: number) => Uint8Array.from({ length }, () => int(256));
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const user = () => `fuzz-${int(50)}`;
  let requestId = 1;
  const withId = (): { requestId: number } => ({ requestId: requestId++ % 0xffff_ffff });

  const validRequests: (() => Frame)[] = [
    () => emptyFrame('PING', random() < 0.5 ? withId() : {}),
    () => bodyFrame('SYNC', { afterSeq: BigInt(int(1000)), limit: int(500) }, withId()),
    () => bodyFrame('CONFIRM', { seq: BigInt(int(1000)) }),
    () =>
      bodyFrame(
        'SEND',
        { clientMsgId: bytes(pick([16, 16, 16, 0, 3, 40])), to: pick([user(), '', 'g-no-such-group', 'x'.repeat(70)]), type: int(12), text: String.fromCharCode(...bytes(int(60))) },
        withId(),
      ),
    // content attacks (docs/reliability.md, "Security"); the large ones rare, or they would be the flood
    () => contentAttack(),
    () => bodyFrame('TYPING', { to: user(), stopped: random() < 0.5 }),
    () => bodyFrame('READ', { conversation: user(), upToMsgId: BigInt(int(10_000)) }),
    () => bodyFrame('REVOKE', { msgId: BigInt(int(10_000)) }, withId()),
    () => bodyFrame('READERS_QUERY', { msgId: BigInt(int(10_000)) }, withId()),
    () => bodyFrame('PROFILE_QUERY', { userIds: Array.from({ length: int(5) }, user) }, withId()),
    () => bodyFrame('HELLO', { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR }, withId()),
    () => bodyFrame('LOGIN', { appId: login.appId, user: user(), secret: 'wrong' }, withId()),
  ];

  function contentAttack(): Frame {
    const roll = random();
    // a part carrying fields the protocol does not name: the server must store none of them
    if (roll < 0.03) return sendWithUnknownFields();
    // the largest custom message: charged to the sender's stored-bytes budget
    if (roll < 0.05) {
      const custom = { command: 'fuzz', payload: bytes(16 * 1024) };
      return bodyFrame('SEND', { clientMsgId: bytes(16), to: user(), type: pb.MessageType.CUSTOM, custom }, withId());
    }
    // a stranger's read receipt, at an id past any message
    return bodyFrame('READ', { conversation: user(), upToMsgId: 1n << BigInt(40 + int(13)) }, withId());
  }

  function sendWithUnknownFields(): Frame {
    const [field, part, type] = pick([
      [7, toBinary(pb.MediaSchema, create(pb.MediaSchema, { fileId: 'f', name: 'n' })), pb.MessageType.FILE],
      [8, toBinary(pb.LocationSchema, create(pb.LocationSchema, { latitude: 1, longitude: 1 })), pb.MessageType.LOCATION],
      [9, toBinary(pb.CustomSchema, create(pb.CustomSchema, { command: 'c' })), pb.MessageType.CUSTOM],
    ] as const);
    const padded = new BinaryWriter().raw(part).tag(100 + int(1000), WireType.LengthDelimited).bytes(new Uint8Array(int(64 * 1024))).finish();
    const head = toBinary(pb.SendSchema, create(pb.SendSchema, { clientMsgId: bytes(16), to: user(), type }));
    const body = new BinaryWriter().raw(head).tag(field, WireType.LengthDelimited).bytes(padded).finish();
    return { type: FrameType.SEND, compressed: false, body, ...withId() };
  }

  function encode(frame: Frame): Uint8Array {
    return encodeFrame(frame);
  }

  /** A valid frame with its body bytes mutated; the length prefix still fits, so it may well parse. */
  function mutatedBody(): Uint8Array {
    const frame = pick(validRequests)();
    const body = Uint8Array.from(frame.body);
    for (let flips = 1 + int(3); flips > 0 && body.length > 0; flips--) {
      const at = int(body.length);
      body[at] = body[at]! ^ (1 << int(8));
    }
    return encode({ ...frame, body });
  }

  const broken: (() => Uint8Array)[] = [
    // random bytes: most likely a length and a type that mean nothing
    () => bytes(1 + int(64)),
    // a length prefix announcing far more than the server accepts
    () => Uint8Array.of(0xff, 0xff, 0xff, 0x7f, ...bytes(8)),
    // a length prefix longer than four bytes
    () => Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x01, 0x01),
    // an unknown frame type
    () => encode({ type: 0x60 + int(0x9f), compressed: false, body: bytes(int(20)) }),
    // the deflate flag on bytes that are not deflate
    () => encode({ type: pick([0x10, 0x14, 0x22]), compressed: true, body: bytes(1 + int(40)), requestId: requestId++ }),
    // unknown flag bits
    () => {
      const frame = encode(emptyFrame('PING'));
      frame[frame.length - 1] = 0x04 | int(0xfc);
      return frame;
    },
    // a frame of no more than its length: no type, no flags
    () => Uint8Array.of(0x00),
    // a body that is not protobuf at all
    () => encode({ type: pick([0x03, 0x05, 0x10, 0x14, 0x22]), compressed: false, body: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, ...bytes(int(10))), requestId: requestId++ }),
    // a server-to-client frame sent by a client
    () => encode(bodyFrame('SYNC_PAGE', { entries: [], maxSeq: 1n, more: false })),
  ];

  return {
    /** The first frames of a connection: HELLO (mostly good) and LOGIN (good, bad or missing). */
    opening(): FuzzedFrame[] {
      const hello = random() < 0.9 ? encode(bodyFrame('HELLO', { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR, client: 'fuzz' }, withId())) : mutatedBody();
      const roll = random();
      if (roll < 0.6) {
        const good = bodyFrame('LOGIN', { auth: pb.AuthType.APP_TOKEN, appId: login.appId, user: user(), secret: login.appToken, deviceId: 'fuzz' }, withId());
        return [{ bytes: hello, wellFormed: true }, { bytes: encode(good), wellFormed: true }];
      }
      if (roll < 0.8) return [{ bytes: hello, wellFormed: true }, { bytes: encode(pick(validRequests)()), wellFormed: true }];
      return [{ bytes: hello, wellFormed: true }];
    },
    /** The next frame of the stream: brokenShare of them broken on purpose. */
    next(brokenShare: number): FuzzedFrame {
      const roll = random();
      if (roll < brokenShare) return { bytes: pick(broken)(), wellFormed: false };
      if (roll < brokenShare + (1 - brokenShare) / 3) return { bytes: mutatedBody(), wellFormed: true };
      return { bytes: encode(pick(validRequests)()), wellFormed: true };
    },
  };
}
