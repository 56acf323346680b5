import type { DecodedFrame } from './codec';
import type { BodyFrameName, FrameName } from './frame-types';

/**
 * Which frame answers each request (besides ERROR, which answers any of them). Both sides read
 * it: the client checks an answer against it once, in one place, instead of at every call.
 * docs/protocol.md's frame table says the same.
 */
export const requestAnswers = {
  HELLO: 'HELLO_ACK',
  AUTH_START: 'AUTH_CHALLENGE',
  LOGIN: 'LOGIN_RESULT',
  LOGOUT: 'OK',
  SEND: 'SENT',
  SYNC: 'SYNC_PAGE',
  CONFIRM: 'OK',
  TIMELINE_SYNC: 'TIMELINE_PAGE',
  TIMELINE_CONFIRM: 'OK',
  REVOKE: 'OK',
  READ: 'OK',
  READERS_QUERY: 'READERS',
  GROUP: 'GROUP_RESULT',
  PROFILE_QUERY: 'PROFILES',
  PROFILE_UPDATE: 'PROFILES',
  MUTE_UPDATE: 'MUTES',
  MEDIA_TOKEN: 'MEDIA_TOKEN_RESULT',
} as const satisfies Partial<Record<BodyFrameName, FrameName>>;

/** A frame sent as a request (with a request id) and answered. */
export type RequestName = keyof typeof requestAnswers;

/** The decoded answer to a request of this name. */
export type AnswerTo<R extends RequestName> = Extract<DecodedFrame, { readonly name: (typeof requestAnswers)[R] }>;
