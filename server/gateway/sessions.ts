import { ErrorCode, pb, type Frame } from '../../protocol';
import type { Caller, Delivery } from '../handler-types';

/** A logged-in connection as the registry sees it. */
export interface Session {
  readonly caller: Caller;
  send(frame: Frame): void;
  /** Tells the client why (KICKED) and closes the connection. */
  kick(code: number, reason: string, byDevice: pb.DeviceKind): void;
}

/** Every logged-in session, by user: the gateway's implementation of Delivery. */
export interface SessionRegistry extends Delivery {
  /** Registers a session; in force mode first kicks the user's sessions of the same device kind. */
  add(session: Session, mode: pb.LoginMode): Session[];
  remove(session: Session): void;
  sessionsOf(appId: string, userId: string): Session[];
  /** Ends every live session of a user (a closed sub-account): told why, then closed. */
  endUser(appId: string, userId: string, code: number, reason: string): number;
  /** Ends every live session of an app (taken offline or deleted). */
  endApp(appId: string, code: number, reason: string): number;
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

export function createSessionRegistry(): SessionRegistry {
  const byUser = new Map<string, Set<Session>>();
  let size = 0;
  const keyOf = (appId: string, userId: string) => `${appId}\u0000${userId}`;

  const registry: SessionRegistry = {
    get size() {
      return size;
    },
    add(session, mode) {
      const { appId, userId, device } = session.caller;
      const key = keyOf(appId, userId);
      const kicked: Session[] = [];
      if (mode === pb.LoginMode.FORCE) {
        for (const other of byUser.get(key) ?? []) {
          if (other.caller.device === device) kicked.push(other);
        }
      }
      for (const other of kicked) {
        // out of the registry first, so nothing more is delivered to a session on its way out
        registry.remove(other);
        other.kick(
          ErrorCode.KICKED_OFF,
          `logged in on another ${deviceName(device)} device${session.caller.deviceId ? ` (${session.caller.deviceId})` : ''}`,
          device,
        );
      }
      let set = byUser.get(key);
      if (!set) byUser.set(key, (set = new Set()));
      set.add(session);
      size++;
      return kicked;
    },
    remove(session) {
      const key = keyOf(session.caller.appId, session.caller.userId);
      const set = byUser.get(key);
      if (!set?.delete(session)) return;
      size--;
      if (set.size === 0) byUser.delete(key);
    },
    sessionsOf(appId, userId) {
      return [...(byUser.get(keyOf(appId, userId)) ?? [])];
    },
    endUser(appId, userId, code, reason) {
      return endAll(registry.sessionsOf(appId, userId), code, reason);
    },
    endApp(appId, code, reason) {
      const prefix = keyOf(appId, '');
      const ending: Session[] = [];
      for (const [key, set] of byUser) if (key.startsWith(prefix)) ending.push(...set);
      return endAll(ending, code, reason);
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
    isOnline(appId, userId) {
      return byUser.has(keyOf(appId, userId));
    },
  };
  function endAll(ending: readonly Session[], code: number, reason: string): number {
    for (const session of ending) {
      // out of the registry first, so nothing more is delivered to a session on its way out
      registry.remove(session);
      session.kick(code, reason, session.caller.device);
    }
    return ending.length;
  }
  return registry;
}
