import { compressFrame, encodeFrames, ErrorCode, MagpieError, pb, type Frame } from '../../protocol';
import type { Caller, Delivery, SessionControl } from '../handler-types';

/** A logged-in connection as the registry sees it. */
export interface Session {
  readonly caller: Caller;
  /** The remote address it logged in from. */
  readonly address: string;
  send(frame: Frame): void;
  /**
   * Writes frames already encoded, after what `send` queued before (bytes shared by many
   * sessions). Optional: a session without it is sent each frame with `send`.
   */
  sendEncoded?(bytes: Buffer): void;
  /** Tells the client why (KICKED) and closes the connection. */
  kick(code: number, reason: string, byDevice: pb.DeviceKind): void;
}

/** Caps on logged-in sessions, so that no user, host or app can take every connection slot. */
export interface SessionLimits {
  /** Sessions of one user of one device kind (auto mode; force mode replaces them instead). */
  readonly maxSessionsPerUserDevice: number;
  /** Sessions logged in from one remote address, all users and apps together. */
  readonly maxSessionsPerAddress: number;
  /** Sessions of one app, all its users together. */
  readonly maxSessionsPerApp: number;
}

/** Every logged-in session, by user: the gateway's implementation of Delivery and SessionControl. */
export interface SessionRegistry extends Delivery, SessionControl {
  /**
   * Registers a session; in force mode first kicks the user's sessions of the same device kind.
   * Throws a MagpieError (and kicks nobody) when the session would pass one of the limits.
   */
  add(session: Session, mode: pb.LoginMode): Session[];
  remove(session: Session): void;
  isOnlineBesides(appId: string, userId: string, exceptSessionId: string): boolean;
  sessionsOf(appId: string, userId: string): Session[];
  /** Distinct users of the app with at least one session (the developer console's count). */
  usersOnline(appId: string): number;
  toUserSince(appId: string, userId: string, minMinor: number, frame: Frame, exceptSessionId?: string): number;
  onlineBelow(appId: string, userId: string, minor: number): boolean;
  /**
   * Sends the same frames, in order, to every session of these users whose protocol minor is at
   * least `minMinor` (a large group's pushes): encoded (and deflated) once, one write per session
   * with no per-session encoding. Returns how many sessions got them, and the users among these
   * with a session below `minMinor` (2.0 clients, which get inbox copies instead).
   */
  toUsersSince(appId: string, userIds: readonly string[], minMinor: number, frames: readonly Frame[]): SharedSend;
  readonly size: number;
}

export interface SharedSend {
  readonly sessions: number;
  readonly below: string[];
}

export interface SessionRegistryOptions extends SessionLimits {
  /** Bodies above this are deflated (the threshold HELLO_ACK announces); frames sent to many sessions are deflated once. */
  readonly compressThresholdBytes?: number;
}

const DEVICE_NAMES: Record<pb.DeviceKind, string> = {
  [pb.DeviceKind.DESKTOP]: 'desktop',
  [pb.DeviceKind.MOBILE]: 'mobile',
  [pb.DeviceKind.WEB]: 'web',
  [pb.DeviceKind.PAD]: 'pad',
  [pb.DeviceKind.BOT]: 'bot',
};

export function deviceName(kind: pb.DeviceKind): string {
  return DEVICE_NAMES[kind] ?? `device kind ${String(kind)}`;
}

/** Told of every session that comes up or goes down (cluster presence). */
export interface SessionObserver {
  up(session: Session, mode: pb.LoginMode): void;
  down(session: Session): void;
}

const UNLIMITED: SessionLimits = {
  maxSessionsPerUserDevice: Infinity,
  maxSessionsPerAddress: Infinity,
  maxSessionsPerApp: Infinity,
};

export function createSessionRegistry(limits: SessionRegistryOptions = UNLIMITED, observer?: SessionObserver): SessionRegistry {
  /** app → user → sessions: a fan-out looks up each member by its id alone, with no key to build. */
  const byUser = new Map<string, Map<string, Set<Session>>>();
  const byApp = new Map<string, Set<Session>>();
  const perAddress = new Map<string, number>();
  const compressThreshold = limits.compressThresholdBytes ?? Infinity;
  let size = 0;
  const sessionsOf = (appId: string, userId: string): Set<Session> | undefined => byUser.get(appId)?.get(userId);

  function count(map: Map<string, number>, key: string, by: 1 | -1): void {
    const next = (map.get(key) ?? 0) + by;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  }

  /** Refuses a session over a cap; the sessions a force login replaces are counted as gone. */
  function checkLimits(session: Session, replaced: readonly Session[]): void {
    const { appId, userId, device } = session.caller;
    const sameDevice = [...(sessionsOf(appId, userId) ?? [])].filter((s) => s.caller.device === device).length;
    if (sameDevice - replaced.length >= limits.maxSessionsPerUserDevice) {
      throw new MagpieError(
        ErrorCode.TOO_MANY_SESSIONS_FOR_USER,
        `${userId} already has ${limits.maxSessionsPerUserDevice} ${deviceName(device)} sessions; log in with force to replace them, or log out of one`,
      );
    }
    const fromAddress = (perAddress.get(session.address) ?? 0) - replaced.filter((s) => s.address === session.address).length;
    if (fromAddress >= limits.maxSessionsPerAddress) {
      throw new MagpieError(
        ErrorCode.TOO_MANY_SESSIONS_FROM_ADDRESS,
        `${limits.maxSessionsPerAddress} sessions are logged in from this address; retry later`,
      );
    }
    if ((byApp.get(appId)?.size ?? 0) - replaced.length >= limits.maxSessionsPerApp) {
      throw new MagpieError(ErrorCode.TOO_MANY_SESSIONS_FOR_APP, `this app has ${limits.maxSessionsPerApp} sessions logged in; retry later`);
    }
  }

  /**
   * At the cap, an auto login replaces the sessions of its own device id: a client that crashed
   * left a session the server has not yet seen die, and that ghost must not lock its own device out.
   * Below the cap they are left alone (two live sessions may share an id, e.g. a copied profile).
   * Not for BOT sessions: the CLI's runs on one profile are many live processes with one id (the
   * desktop shells lock their profile, so one id there is one process, and an older session of it a
   * ghost).
   */
  function ownGhosts(sameKind: readonly Session[], device: pb.DeviceKind, deviceId: string): Session[] {
    if (!deviceId || device === pb.DeviceKind.BOT || sameKind.length < limits.maxSessionsPerUserDevice) return [];
    return sameKind.filter((other) => other.caller.deviceId === deviceId);
  }

  /** Ends sessions: out of the registry first, so nothing more is delivered to them, then kicked. */
  function end(sessions: readonly Session[], code: number, reason: string, byDevice?: pb.DeviceKind): number {
    for (const session of sessions) {
      registry.remove(session);
      session.kick(code, reason, byDevice ?? session.caller.device);
    }
    return sessions.length;
  }

  const registry: SessionRegistry = {
    get size() {
      return size;
    },
    add(session, mode) {
      const { appId, userId, device, deviceId } = session.caller;
      const sameKind = [...(sessionsOf(appId, userId) ?? [])].filter((other) => other.caller.device === device);
      const replaced = mode === pb.LoginMode.FORCE ? sameKind : ownGhosts(sameKind, device, deviceId);
      checkLimits(session, replaced);
      end(
        replaced,
        ErrorCode.KICKED_OFF,
        mode === pb.LoginMode.FORCE
          ? `logged in on another ${deviceName(device)} device${deviceId ? ` (${deviceId})` : ''}`
          : `this ${deviceName(device)} device (${deviceId}) logged in again`,
        device,
      );
      let users = byUser.get(appId);
      if (!users) byUser.set(appId, (users = new Map()));
      let set = users.get(userId);
      if (!set) users.set(userId, (set = new Set()));
      set.add(session);
      let app = byApp.get(appId);
      if (!app) byApp.set(appId, (app = new Set()));
      app.add(session);
      count(perAddress, session.address, 1);
      size++;
      observer?.up(session, mode);
      return replaced;
    },
    remove(session) {
      const { appId, userId } = session.caller;
      const users = byUser.get(appId);
      const set = users?.get(userId);
      if (!set?.delete(session)) return;
      size--;
      if (set.size === 0) users!.delete(userId);
      if (users!.size === 0) byUser.delete(appId);
      const app = byApp.get(session.caller.appId);
      app?.delete(session);
      if (app?.size === 0) byApp.delete(session.caller.appId);
      count(perAddress, session.address, -1);
      observer?.down(session);
    },
    sessionsOf(appId, userId) {
      return [...(sessionsOf(appId, userId) ?? [])];
    },
    usersOnline(appId) {
      return new Set([...(byApp.get(appId) ?? [])].map((session) => session.caller.userId)).size;
    },
    endUserSessions(appId, userId, code, reason) {
      return end(registry.sessionsOf(appId, userId), code, reason);
    },
    endAppSessions(appId, code, reason) {
      return end([...(byApp.get(appId) ?? [])], code, reason);
    },
    toUser(appId, userId, frame, exceptSessionId) {
      let sent = 0;
      for (const session of sessionsOf(appId, userId) ?? []) {
        if (session.caller.sessionId === exceptSessionId) continue;
        session.send(frame);
        sent++;
      }
      return sent;
    },
    toUserSince(appId, userId, minMinor, frame, exceptSessionId) {
      let sent = 0;
      for (const session of sessionsOf(appId, userId) ?? []) {
        if (session.caller.sessionId === exceptSessionId || (session.caller.protocolMinor ?? 0) < minMinor) continue;
        session.send(frame);
        sent++;
      }
      return sent;
    },
    onlineBelow(appId, userId, minor) {
      for (const session of sessionsOf(appId, userId) ?? []) {
        if ((session.caller.protocolMinor ?? 0) < minor) return true;
      }
      return false;
    },
    toUsersSince(appId, userIds, minMinor, frames) {
      const users = byUser.get(appId);
      const below: string[] = [];
      let sent = 0;
      if (users === undefined || frames.length === 0) return { sessions: 0, below };
      let bytes: Buffer | undefined;
      for (const userId of userIds) {
        const set = users.get(userId);
        if (set === undefined) continue;
        for (const session of set) {
          if ((session.caller.protocolMinor ?? 0) < minMinor) {
            if (below.at(-1) !== userId) below.push(userId);
            continue;
          }
          sent++;
          if (session.sendEncoded === undefined) {
            for (const frame of frames) session.send(frame);
            continue;
          }
          // encoded at the first session that takes it, as one Buffer every socket writes
          bytes ??= sharedBytes(frames, compressThreshold);
          session.sendEncoded(bytes);
        }
      }
      return { sessions: sent, below };
    },
    isOnline(appId, userId) {
      return sessionsOf(appId, userId) !== undefined;
    },
    isOnlineBesides(appId, userId, exceptSessionId) {
      for (const session of sessionsOf(appId, userId) ?? []) if (session.caller.sessionId !== exceptSessionId) return true;
      return false;
    },
  };
  return registry;
}

/** Frames as the bytes of one write, deflated above the threshold like any frame a connection sends. */
function sharedBytes(frames: readonly Frame[], compressThreshold: number): Buffer {
  const encoded = encodeFrames(frames.map((frame) => compressFrame(frame, compressThreshold)));
  // a Buffer view: a socket given a plain Uint8Array wraps it in a new Buffer at every write
  return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
