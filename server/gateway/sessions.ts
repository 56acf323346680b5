import { ErrorCode, MagpieError, pb, type Frame } from '../../protocol';
import type { Caller, Delivery, SessionControl } from '../handler-types';

/** A logged-in connection as the registry sees it. */
export interface Session {
  readonly caller: Caller;
  /** The remote address it logged in from. */
  readonly address: string;
  send(frame: Frame): void;
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
  readonly size: number;
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

export function createSessionRegistry(limits: SessionLimits = UNLIMITED, observer?: SessionObserver): SessionRegistry {
  const byUser = new Map<string, Set<Session>>();
  const byApp = new Map<string, Set<Session>>();
  const perAddress = new Map<string, number>();
  let size = 0;
  const keyOf = (appId: string, userId: string) => `${appId}\u0000${userId}`;

  function count(map: Map<string, number>, key: string, by: 1 | -1): void {
    const next = (map.get(key) ?? 0) + by;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  }

  /** Refuses a session over a cap; the sessions a force login replaces are counted as gone. */
  function checkLimits(session: Session, replaced: readonly Session[]): void {
    const { appId, userId, device } = session.caller;
    const sameDevice = [...(byUser.get(keyOf(appId, userId)) ?? [])].filter((s) => s.caller.device === device).length;
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
      const { appId, userId, device } = session.caller;
      const key = keyOf(appId, userId);
      const replaced =
        mode === pb.LoginMode.FORCE ? [...(byUser.get(key) ?? [])].filter((other) => other.caller.device === device) : [];
      checkLimits(session, replaced);
      end(
        replaced,
        ErrorCode.KICKED_OFF,
        `logged in on another ${deviceName(device)} device${session.caller.deviceId ? ` (${session.caller.deviceId})` : ''}`,
        device,
      );
      let set = byUser.get(key);
      if (!set) byUser.set(key, (set = new Set()));
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
      const key = keyOf(session.caller.appId, session.caller.userId);
      const set = byUser.get(key);
      if (!set?.delete(session)) return;
      size--;
      if (set.size === 0) byUser.delete(key);
      const app = byApp.get(session.caller.appId);
      app?.delete(session);
      if (app?.size === 0) byApp.delete(session.caller.appId);
      count(perAddress, session.address, -1);
      observer?.down(session);
    },
    sessionsOf(appId, userId) {
      return [...(byUser.get(keyOf(appId, userId)) ?? [])];
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
      for (const session of byUser.get(keyOf(appId, userId)) ?? []) {
        if (session.caller.sessionId === exceptSessionId) continue;
        session.send(frame);
        sent++;
      }
      return sent;
    },
    toUserSince(appId, userId, minMinor, frame, exceptSessionId) {
      let sent = 0;
      for (const session of byUser.get(keyOf(appId, userId)) ?? []) {
        if (session.caller.sessionId === exceptSessionId || (session.caller.protocolMinor ?? 0) < minMinor) continue;
        session.send(frame);
        sent++;
      }
      return sent;
    },
    onlineBelow(appId, userId, minor) {
      for (const session of byUser.get(keyOf(appId, userId)) ?? []) {
        if ((session.caller.protocolMinor ?? 0) < minor) return true;
      }
      return false;
    },
    isOnline(appId, userId) {
      return byUser.has(keyOf(appId, userId));
    },
    isOnlineBesides(appId, userId, exceptSessionId) {
      for (const session of byUser.get(keyOf(appId, userId)) ?? []) if (session.caller.sessionId !== exceptSessionId) return true;
      return false;
    },
  };
  return registry;
}
