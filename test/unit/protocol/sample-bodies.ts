import { create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { frameBodySchemas, pb, type BodyFrameName } from '../../../protocol';

/** The init shape of the body a frame of this name carries. */
export type BodyInit<N extends BodyFrameName> = MessageInitShape<(typeof frameBodySchemas)[N]>;

export type SampleBodies = { [N in BodyFrameName]: BodyInit<N> };

const NOW_MS = 1_764_288_000_000n;

export function clientMsgId(fill: number): Uint8Array {
  return Uint8Array.from({ length: 16 }, (_, i) => (fill * 31 + i * 7) & 0xff);
}

/** A realistic, small body for every frame type that carries one: what a session really sends. */
export const sampleBodies: SampleBodies = {
  HELLO: { major: 1, minor: 0, client: 'magpie-desktop/0.1.0' },
  HELLO_ACK: {
    major: 1,
    minor: 0,
    server: 'magpie-server/0.1.0',
    maxFrameBytes: 256 * 1024,
    maxBodyBytes: 1024 * 1024,
    compressThresholdBytes: 512,
    loginTimeoutMs: 10_000,
  },
  AUTH_START: {
    appId: '8a2b3c4d5e6f70819203a4b5c6d7e8f9',
    user: '80012345678901',
    clientNonce: Uint8Array.from({ length: 24 }, (_, i) => (i * 37 + 11) & 0xff),
  },
  AUTH_CHALLENGE: {
    salt: Uint8Array.from({ length: 16 }, (_, i) => (i * 53 + 5) & 0xff),
    scryptN: 16_384,
    scryptR: 8,
    scryptP: 1,
    serverNonce: Uint8Array.from({ length: 24 }, (_, i) => (i * 29 + 3) & 0xff),
  },
  LOGIN: {
    auth: pb.AuthType.SIGNED,
    appId: '8a2b3c4d5e6f70819203a4b5c6d7e8f9',
    user: 'alice',
    secret: '3f1c9a0b7d2e4f6a8b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a',
    timestamp: '1764288000000',
    signatureAlgorithm: pb.SignatureAlgorithm.HMAC_SHA256,
    device: pb.DeviceKind.DESKTOP,
    mode: pb.LoginMode.FORCE,
    deviceId: 'd3b07384-d9a0-4c9b-8e4f-2a1c5e6f7a8b',
  },
  LOGIN_RESULT: {
    userId: 'alice',
    nickname: 'Alice 爱丽丝',
    serverTimeMs: NOW_MS,
    idleTimeoutMs: 600_000,
    maxSeq: 18_342n,
    confirmedSeq: 18_330n,
    sessionId: 's-4f2a9c',
    appId: '8a2b3c4d5e6f70819203a4b5c6d7e8f9',
  },
  LOGOUT: {},
  KICKED: { code: 175004, reason: 'signed in on another desktop', byDevice: pb.DeviceKind.DESKTOP },
  ERROR: { code: 560072, message: 'alice is not a member of gTeam42' },
  OK: {},
  SEND: { clientMsgId: clientMsgId(1), to: 'bob', text: 'see you at 8 😀 @bob', mentions: ['bob'] },
  SENT: { clientMsgId: clientMsgId(1), msgId: 918_273n, timeMs: NOW_MS, seq: 18_343n },
  PUSH: {
    seq: 20_101n,
    item: {
      case: 'message',
      value: {
        msgId: 918_274n,
        from: 'alice',
        to: 'gTeam42',
        type: pb.MessageType.IMAGE,
        text: 'the whiteboard',
        timeMs: NOW_MS,
        media: {
          fileId: 'f-7c1e9b',
          name: 'whiteboard.jpg',
          size: 482_113n,
          mime: 'image/jpeg',
          width: 1920,
          height: 1080,
          thumbnailId: 'f-7c1e9c',
          sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        },
      },
    },
  },
  NOTIFY: { maxSeq: 20_102n },
  SYNC: { afterSeq: 18_330n, limit: 200 },
  SYNC_PAGE: {
    maxSeq: 18_333n,
    more: false,
    entries: [
      { seq: 18_331n, item: { case: 'message', value: { msgId: 900_001n, from: 'bob', to: 'alice', text: '早上好', timeMs: NOW_MS } } },
      {
        seq: 18_332n,
        item: {
          case: 'notice',
          value: { kind: pb.NoticeKind.JOIN, groupId: 'gTeam42', actor: 'carol', targets: ['carol'], timeMs: NOW_MS, groupName: 'Team 42' },
        },
      },
      { seq: 18_333n, item: { case: 'read', value: { reader: 'bob', conversation: 'bob', upToMsgId: 900_000n, timeMs: NOW_MS } } },
    ],
  },
  CONFIRM: { seq: 18_333n },
  REVOKE: { msgId: 918_273n },
  READ: { conversation: 'bob', upToMsgId: 900_001n },
  TYPING: { to: 'bob', from: 'alice', stopped: false },
  READERS_QUERY: { msgId: 918_274n },
  READERS: { msgId: 918_274n, read: ['bob', 'carol'], unread: ['dave'] },
  TIMELINE_SYNC: { cursors: [{ groupId: 'g-climbers', seq: 41n }], limit: 100 },
  TIMELINE_PAGE: {
    slices: [{ groupId: 'g-climbers', entries: [{ seq: 42n, groupId: 'g-climbers', item: { case: 'message', value: { msgId: 9_001n, from: 'alice', to: 'g-climbers', text: 'hi' } } }], maxSeq: 42n, more: false }],
    more: false,
  },
  TIMELINE_CONFIRM: { cursors: [{ groupId: 'g-climbers', seq: 42n }] },
  GROUP: {
    op: {
      case: 'create',
      value: {
        name: 'Team 42',
        type: pb.GroupType.NORMAL,
        mode: pb.GroupMode.APPROVAL,
        announcement: 'weekly sync on Mondays',
        members: ['bob', 'carol'],
        inviteConfirm: true,
      },
    },
  },
  GROUP_RESULT: {
    result: {
      case: 'group',
      value: {
        groupId: 'gTeam42',
        name: 'Team 42',
        owner: 'alice',
        type: pb.GroupType.NORMAL,
        mode: pb.GroupMode.APPROVAL,
        announcement: 'weekly sync on Mondays',
        memberCount: 3,
        capacity: 300,
        createdMs: NOW_MS,
        myRole: pb.GroupRole.OWNER,
        inviteConfirm: true,
      },
    },
  },
  PROFILE_QUERY: { userIds: ['bob', 'carol'] },
  PROFILES: { profiles: [{ userId: 'bob', nickname: 'Bob', avatar: 'f-avatar-bob', updatedMs: NOW_MS }] },
  PROFILE_UPDATE: { nickname: 'Alice 爱丽丝' },
  MUTE_UPDATE: { mute: ['bob'], unmute: ['carol'] },
  MUTES: { peers: ['bob', 'dave'] },
  MEDIA_TOKEN: {},
  MEDIA_TOKEN_RESULT: { token: 'eyJhIjoiYXBwMSIsInUiOiJhbGljZSIsImUiOjF9.c2lnbmF0dXJl', expiresMs: NOW_MS + 3_600_000n },
};

const longText = 'The quarterly report is attached; please review the numbers before Monday. '.repeat(12);
const manyUsers = Array.from({ length: 120 }, (_, i) => `member_${String(i).padStart(3, '0')}`);

/**
 * Bodies well above the default compression threshold (512 bytes) for the frame types whose body
 * can grow that large. The others (CONFIRM, NOTIFY, SYNC, ...) hold a few numbers and never can.
 */
export const largeBodies: Partial<SampleBodies> = {
  ERROR: { code: 580001, message: `invalid message: ${longText}` },
  SEND: { clientMsgId: clientMsgId(2), to: 'gTeam42', text: longText, mentions: manyUsers.slice(0, 20) },
  PUSH: {
    seq: 20_200n,
    item: { case: 'message', value: { msgId: 918_300n, from: 'alice', to: 'gTeam42', text: longText, timeMs: NOW_MS } },
  },
  SYNC_PAGE: {
    maxSeq: 20_300n,
    more: true,
    entries: Array.from({ length: 100 }, (_, i) => ({
      seq: 20_201n + BigInt(i),
      item: {
        case: 'message' as const,
        value: { msgId: 918_301n + BigInt(i), from: 'bob', to: 'alice', text: `message number ${i} of the burst`, timeMs: NOW_MS + BigInt(i) },
      },
    })),
  },
  READERS: { msgId: 918_274n, read: manyUsers.slice(0, 70), unread: manyUsers.slice(70) },
  TIMELINE_PAGE: {
    slices: manyUsers.slice(0, 40).map((user, i) => ({ groupId: `g-${user}`, entries: [{ seq: BigInt(i + 1), groupId: `g-${user}`, item: { case: 'message' as const, value: { msgId: BigInt(i + 1), from: user, to: `g-${user}`, text: 'x'.repeat(200) } } }], maxSeq: BigInt(i + 1) })),
    more: true,
  },
  GROUP: { op: { case: 'invite', value: { groupId: 'gTeam42', users: manyUsers, reason: 'the whole department' } } },
  GROUP_RESULT: {
    result: {
      case: 'members',
      value: {
        total: 120,
        members: manyUsers.map((userId, i) => ({ userId, role: pb.GroupRole.MEMBER, card: `desk ${i}`, joinedMs: NOW_MS })),
      },
    },
  },
  PROFILE_QUERY: { userIds: manyUsers },
  PROFILES: { profiles: manyUsers.map((userId) => ({ userId, nickname: `Nick ${userId}`, updatedMs: NOW_MS })) },
  LOGIN_RESULT: { ...sampleBodies.LOGIN_RESULT, nickname: longText },
};

/** What decoding a body built from `init` must give back. */
export function expectedBody<N extends BodyFrameName>(name: N, init: BodyInit<N>): MessageShape<DescMessage> {
  const schema = frameBodySchemas[name] as DescMessage;
  return create(schema, init as MessageInitShape<DescMessage>);
}

/**
 * A copy of a decoded value with every Buffer turned into a plain Uint8Array: bodies decoded from
 * socket chunks or inflated bytes hold Buffer views, which toEqual tells apart from Uint8Array.
 */
export function withPlainBytes<T>(value: T): T {
  if (value instanceof Uint8Array) return Uint8Array.from(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withPlainBytes(item)) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = withPlainBytes(item);
    return copy as T;
  }
  return value;
}
