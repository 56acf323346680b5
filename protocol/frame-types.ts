import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import * as pb from './gen/magpie/v1/magpie_pb';

/**
 * Every frame type on the wire and the body it carries. Requests carry a request id; the answer
 * carries the same id and is the type named here, or ERROR. Pushes carry no request id.
 * docs/protocol.md has the same table.
 */
export const FrameType = {
  PING: 0x01, // c→s, no body
  PONG: 0x02, // s→c, no body
  HELLO: 0x03, // c→s, first frame
  HELLO_ACK: 0x04,
  LOGIN: 0x05,
  LOGIN_RESULT: 0x06,
  LOGOUT: 0x07, // c→s; answered by OK, then the server closes
  KICKED: 0x08, // s→c push, then close
  ERROR: 0x09,
  OK: 0x0a,
  AUTH_START: 0x0b, // c→s; AUTH_CHALLENGE or ERROR
  AUTH_CHALLENGE: 0x0c,
  SEND: 0x10,
  SENT: 0x11,
  PUSH: 0x12, // s→c push: one inbox entry
  NOTIFY: 0x13, // s→c push: the inbox head moved
  SYNC: 0x14,
  SYNC_PAGE: 0x15,
  CONFIRM: 0x16, // c→s; answered by OK only when it carries a request id
  REVOKE: 0x17,
  READ: 0x18,
  TYPING: 0x19, // both ways, transient
  READERS_QUERY: 0x1a,
  READERS: 0x1b,
  TIMELINE_SYNC: 0x1c, // protocol 2.1
  TIMELINE_PAGE: 0x1d,
  TIMELINE_CONFIRM: 0x1e, // c→s; answered by OK only when it carries a request id
  GROUP: 0x20,
  GROUP_RESULT: 0x21,
  PROFILE_QUERY: 0x22,
  PROFILES: 0x23,
  PROFILE_UPDATE: 0x24,
  MUTE_UPDATE: 0x25,
  MUTES: 0x26, // the answer to MUTE_UPDATE; also pushed to the user's other sessions
  MEDIA_TOKEN: 0x30, // c→s, body Ok; answered by MEDIA_TOKEN_RESULT
  MEDIA_TOKEN_RESULT: 0x31,
} as const;

export type FrameName = keyof typeof FrameType;

/** The body schema of each frame type; PING and PONG have no body. */
export const frameBodySchemas = {
  PING: undefined,
  PONG: undefined,
  HELLO: pb.HelloSchema,
  HELLO_ACK: pb.HelloAckSchema,
  LOGIN: pb.LoginSchema,
  LOGIN_RESULT: pb.LoginResultSchema,
  LOGOUT: pb.OkSchema,
  KICKED: pb.KickedSchema,
  ERROR: pb.ErrorSchema,
  OK: pb.OkSchema,
  AUTH_START: pb.AuthStartSchema,
  AUTH_CHALLENGE: pb.AuthChallengeSchema,
  SEND: pb.SendSchema,
  SENT: pb.SentSchema,
  PUSH: pb.EntrySchema,
  NOTIFY: pb.NotifySchema,
  SYNC: pb.SyncSchema,
  SYNC_PAGE: pb.SyncPageSchema,
  CONFIRM: pb.ConfirmSchema,
  REVOKE: pb.RevokeSchema,
  READ: pb.ReadSchema,
  TYPING: pb.TypingSchema,
  READERS_QUERY: pb.ReadersQuerySchema,
  READERS: pb.ReadersSchema,
  TIMELINE_SYNC: pb.TimelineSyncSchema,
  TIMELINE_PAGE: pb.TimelinePageSchema,
  TIMELINE_CONFIRM: pb.TimelineConfirmSchema,
  GROUP: pb.GroupRequestSchema,
  GROUP_RESULT: pb.GroupResultSchema,
  PROFILE_QUERY: pb.ProfileQuerySchema,
  PROFILES: pb.ProfilesSchema,
  PROFILE_UPDATE: pb.ProfileUpdateSchema,
  MUTE_UPDATE: pb.MuteUpdateSchema,
  MUTES: pb.MutesSchema,
  MEDIA_TOKEN: pb.OkSchema,
  MEDIA_TOKEN_RESULT: pb.MediaTokenSchema,
} as const satisfies Record<FrameName, DescMessage | undefined>;

type Schemas = typeof frameBodySchemas;
export type BodyFrameName = { [N in FrameName]: Schemas[N] extends DescMessage ? N : never }[FrameName];
export type EmptyFrameName = Exclude<FrameName, BodyFrameName>;
export type FrameBody<N extends FrameName> = Schemas[N] extends DescMessage ? MessageShape<Schemas[N]> : undefined;

const namesByType = new Map<number, FrameName>(
  (Object.keys(FrameType) as FrameName[]).map((name) => [FrameType[name], name]),
);

/** The name of a frame type byte, or undefined for a type Magpie does not define. */
export function frameName(type: number): FrameName | undefined {
  return namesByType.get(type);
}
