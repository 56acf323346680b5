import type { Clock, DecodedFrame, Frame, FrameBody, FrameName } from '../protocol';
import type { pb } from '../protocol';
import type { SqlDatabase } from './storage/sql-database';
import type { Logger } from 'pino';

/**
 * The seams between the server's parts. The gateway owns sockets and sessions; the services
 * (identity, chat, sync, groups, profiles) own the rules and the storage; they meet here.
 */

/** Who is calling: a logged-in session. */
export interface Caller {
  readonly sessionId: string;
  readonly appId: string;
  readonly userId: string;
  readonly device: pb.DeviceKind;
  readonly deviceId: string;
  /** The protocol minor the client spoke in HELLO (absent: 0). */
  readonly protocolMinor?: number;
}

/** A request the gateway hands to a service, with its typed body. */
export interface Call<N extends FrameName> {
  readonly caller: Caller;
  readonly body: FrameBody<N>;
  readonly requestId?: number;
}

/**
 * A service's answer: a frame to send back (the gateway sets the request id), or nothing.
 * Throwing a MagpieError answers an ERROR frame with its code; any other error answers INTERNAL
 * and is logged.
 */
export type Reply = Frame | undefined;

export type Handler<N extends FrameName> = (call: Call<N>) => Reply | Promise<Reply>;

/** The handlers of the frames a logged-in session may send, by frame name. */
export type HandlerTable = { [N in FrameName]?: Handler<N> };

/** Delivery to online sessions; implemented by the gateway's session registry. */
export interface Delivery {
  /** Sends a frame to every online session of a user, except the one named. */
  toUser(appId: string, userId: string, frame: Frame, exceptSessionId?: string): number;
  /**
   * Sends a frame to the user's online sessions whose protocol minor is at least `minMinor`
   * (a group timeline's entries: protocol 2.1), except the one named; returns how many.
   */
  toUserSince?(appId: string, userId: string, minMinor: number, frame: Frame, exceptSessionId?: string): number;
  /**
   * Sends the same frames, in order, to the sessions of many users whose protocol minor is at
   * least `minMinor` (a large group's pushes), encoded once for all; returns how many sessions got
   * them and which of these users have a session below `minMinor`. Optional: without it, a large
   * group's pushes go through toUserSince and onlineBelow, one user at a time. A Delivery that
   * wraps another (routing to other nodes) must implement it for every user or leave it out.
   */
  toUsersSince?(appId: string, userIds: readonly string[], minMinor: number, frames: readonly Frame[]): { sessions: number; below: string[] };
  /** Whether the user has an online session whose protocol minor is below `minor`. */
  onlineBelow?(appId: string, userId: string, minor: number): boolean;
  /** Whether the user has any online session. */
  isOnline(appId: string, userId: string): boolean;
  /** Whether the user has an online session other than the one named (the sender's other devices). */
  isOnlineBesides?(appId: string, userId: string, exceptSessionId: string): boolean;
  /** Told of each committed inbox entry whose user has no online session (the offline push). */
  offline?(appId: string, userId: string, entry: pb.Entry): void;
  /**
   * Told of a large group's timeline message inside its SEND's transaction, with the members who
   * may read it (the offline push of an @all, which is in no member's inbox: queued in that
   * transaction, so it commits with the message and survives a crash right after the commit).
   */
  offlineTimeline?(appId: string, readers: readonly string[], entry: pb.Entry): void;
}

/**
 * Ends live sessions at once: each gets KICKED with the code and reason (shown to the user) and is
 * closed. Implemented by the gateway's session registry; called by AccessControl when access is
 * taken away (a closed sub-account, an app taken offline), whoever took it away.
 */
export interface SessionControl {
  endUserSessions(appId: string, userId: string, code: number, reason: string): number;
  endAppSessions(appId: string, code: number, reason: string): number;
}

/** What every service is built from. */
export interface ServerDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly log: Logger;
  readonly delivery: Delivery;
}

export type { DecodedFrame };
