import type { PresenceMessage, SessionRow } from './presence-messages';

/** A session held by another node, as that node announced it. */
export interface RemoteSession {
  readonly node: string;
  readonly sessionId: string;
  readonly appId: string;
  readonly userId: string;
  readonly device: number;
  readonly minor: number;
  readonly deviceId: string;
}

/** What this node knows of one other node. */
interface NodeMirror {
  epoch: string;
  /** The last delta applied (or the snapshot's seq). */
  seq: number;
  /** False until a snapshot arrived, and again after a gap: its sessions may be incomplete. */
  synced: boolean;
  lastHeardMs: number;
  wantedAtMs: number;
  addresses: string[];
  readonly sessions: Map<string, RemoteSession>;
  readonly byUser: Map<string, Map<string, RemoteSession>>;
  assembling?: { epoch: string; seq: number; parts: number; got: Map<number, SessionRow[]> };
}

export interface PresenceMirror {
  /** Takes in one message of another node. */
  apply(message: PresenceMessage): void;
  /** Forgets the nodes silent for longer than the silence limit; returns their ids. */
  dropSilent(): string[];
  /** Every session of the user on other nodes. */
  sessionsOf(appId: string, userId: string): RemoteSession[];
  isOnline(appId: string, userId: string): boolean;
  /** Every session of every other node (for counts an operator asks for, not per message). */
  all(): Iterable<RemoteSession>;
  /** Other nodes known now, with their client addresses and session counts. */
  nodes(): { node: string; addresses: readonly string[]; sessions: number; synced: boolean }[];
  /** Forgets every node (our link was down too long to trust what we knew). */
  clear(): void;
}

export interface PresenceMirrorDeps {
  readonly self: string;
  now(): number;
  /** A node silent this long is forgotten. */
  readonly silenceMs: number;
  /** A snapshot asked for and not yet received is asked for again after this long. */
  readonly wantRetryMs: number;
  /** Asks `target` for its snapshot (published by the caller). */
  want(target: string): void;
}

const userKey = (appId: string, userId: string) => `${appId}\u0000${userId}`;

/**
 * The other nodes' sessions, kept from their presence messages. A node is trusted from its
 * snapshot on, kept by its deltas in order, and asked again for a snapshot at any sign of a gap
 * (a delta out of order, a beat with another seq, a new epoch).
 */
export function createPresenceMirror(deps: PresenceMirrorDeps): PresenceMirror {
  const mirrors = new Map<string, NodeMirror>();

  function fresh(epoch: string): NodeMirror {
    return { epoch, seq: 0, synced: false, lastHeardMs: deps.now(), wantedAtMs: -Infinity, addresses: [], sessions: new Map(), byUser: new Map() };
  }

  function addSession(mirror: NodeMirror, node: string, row: SessionRow): void {
    const [sessionId, appId, userId, device, minor, deviceId] = row;
    const session: RemoteSession = { node, sessionId, appId, userId, device, minor, deviceId };
    mirror.sessions.set(sessionId, session);
    const key = userKey(appId, userId);
    let sessions = mirror.byUser.get(key);
    if (!sessions) mirror.byUser.set(key, (sessions = new Map()));
    sessions.set(sessionId, session);
  }

  function removeSession(mirror: NodeMirror, sessionId: string): void {
    const session = mirror.sessions.get(sessionId);
    if (!session) return;
    mirror.sessions.delete(sessionId);
    const key = userKey(session.appId, session.userId);
    const sessions = mirror.byUser.get(key);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) mirror.byUser.delete(key);
  }

  function askSnapshot(node: string, mirror: NodeMirror): void {
    mirror.synced = false;
    const now = deps.now();
    if (now - mirror.wantedAtMs < deps.wantRetryMs) return;
    mirror.wantedAtMs = now;
    deps.want(node);
  }

  function applySnapshotPart(node: string, mirror: NodeMirror, message: Extract<PresenceMessage, { t: 'snap' }>): void {
    mirror.addresses = message.addresses;
    let assembling = mirror.assembling;
    if (message.part === 0) {
      assembling = mirror.assembling = { epoch: message.epoch, seq: message.seq, parts: message.parts, got: new Map() };
    }
    // a part of a snapshot whose start we did not see: wait for the next one
    if (!assembling || assembling.seq !== message.seq || assembling.epoch !== message.epoch) return;
    assembling.got.set(message.part, message.sessions);
    if (assembling.got.size < assembling.parts) return;
    mirror.sessions.clear();
    mirror.byUser.clear();
    for (const rows of assembling.got.values()) for (const row of rows) addSession(mirror, node, row);
    mirror.seq = assembling.seq;
    mirror.synced = true;
    mirror.assembling = undefined;
  }

  return {
    apply(message) {
      const node = message.node;
      if (node === deps.self) return;
      if (message.t === 'bye') {
        if (mirrors.get(node)?.epoch === message.epoch) mirrors.delete(node);
        return;
      }
      let mirror = mirrors.get(node);
      if (!mirror || mirror.epoch !== message.epoch) {
        mirror = fresh(message.epoch);
        mirrors.set(node, mirror);
      }
      mirror.lastHeardMs = deps.now();
      switch (message.t) {
        case 'delta':
          if (mirror.synced && message.seq === mirror.seq + 1) {
            for (const sessionId of message.down) removeSession(mirror, sessionId);
            for (const row of message.up) addSession(mirror, node, row);
            mirror.seq = message.seq;
          } else if (!mirror.synced || message.seq > mirror.seq) {
            askSnapshot(node, mirror);
          }
          return;
        case 'beat':
          mirror.addresses = message.addresses;
          if (!mirror.synced || message.seq !== mirror.seq) askSnapshot(node, mirror);
          return;
        case 'snap':
          applySnapshotPart(node, mirror, message);
          return;
        // a hello comes with its node's snapshot right behind; a want is for the node it names
        case 'hello':
        case 'want':
          return;
        default: {
          const never: never = message;
          throw new TypeError(`unknown presence message ${JSON.stringify(never)}`);
        }
      }
    },
    dropSilent() {
      const now = deps.now();
      const dropped: string[] = [];
      for (const [node, mirror] of mirrors) {
        if (now - mirror.lastHeardMs > deps.silenceMs) {
          mirrors.delete(node);
          dropped.push(node);
        }
      }
      return dropped;
    },
    sessionsOf(appId, userId) {
      const key = userKey(appId, userId);
      const found: RemoteSession[] = [];
      for (const mirror of mirrors.values()) {
        const sessions = mirror.byUser.get(key);
        if (sessions) for (const session of sessions.values()) found.push(session);
      }
      return found;
    },
    isOnline(appId, userId) {
      const key = userKey(appId, userId);
      for (const mirror of mirrors.values()) if (mirror.byUser.has(key)) return true;
      return false;
    },
    *all() {
      for (const mirror of mirrors.values()) yield* mirror.sessions.values();
    },
    nodes() {
      return [...mirrors].map(([node, mirror]) => ({ node, addresses: mirror.addresses, sessions: mirror.sessions.size, synced: mirror.synced }));
    },
    clear() {
      mirrors.clear();
    },
  };
}
