import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ErrorCode, pb, type Clock, type TimerHandle } from '../../protocol';
import { deviceName, type Session, type SessionRegistry } from '../gateway/sessions';
import type { Tuning } from '../tuning';
import { DEFAULT_SUBJECT_PREFIX, type ClusterConfig } from './cluster-config';
import { openNatsLink, type LinkState, type NatsLink } from './nats-link';
import { createPresenceAnnouncer } from './presence-announcer';
import { decodePresence, encodePresence, type PresenceMessage, type SessionRow } from './presence-messages';
import { createPresenceMirror, type RemoteSession } from './presence-mirror';
import { decodeRoutedPushes, encodeRoutedPushes, isShared, type RoutedItem } from './route-codec';

export type ClusterTuning = Pick<
  Tuning,
  'clusterHeartbeatMs' | 'clusterNodeSilenceMs' | 'clusterLoginRecheckMs' | 'clusterSnapshotRowsPerPart' | 'clusterRouteBatchBytes' | 'clusterReconnectWaitMs' | 'clusterNatsStartTimeoutMs'
>;

export interface ClusterNodeDeps {
  readonly config: ClusterConfig;
  /** This node's own sessions. */
  readonly sessions: SessionRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tuning: ClusterTuning;
  /** Tells a local session that its inbox head may have moved (a NOTIFY), so it pulls. */
  notify(session: Session): void;
  /** Sends a large group's timeline pushes waiting on this node now (another node asks, flushGroupEverywhere). */
  flushGroup?(appId: string, groupId: string): void;
}

export interface ClusterStatus {
  readonly nodeId: string;
  readonly link: LinkState | 'stopped';
  /** Other nodes heard from within the silence limit. */
  readonly peers: number;
  /** Sessions of the whole cluster as this node sees them: its own and its peers'. */
  readonly clusterSessions: number;
  readonly routedOut: number;
  readonly routedIn: number;
  readonly droppedPublishes: number;
}

export interface ClusterNode {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ClusterStatus;
  /** This node's client addresses ("host:port", "tls://host:port"), shared with the other nodes. */
  setAddresses(addresses: readonly string[]): void;
  /** The client addresses of the other nodes, as their presence says. */
  peerAddresses(): string[];
  /** Called by the session registry. */
  sessionUp(session: Session, mode: pb.LoginMode): void;
  sessionDown(session: Session): void;
  remoteSessionsOf(appId: string, userId: string): RemoteSession[];
  remoteIsOnline(appId: string, userId: string): boolean;
  /** Every session of the other nodes. */
  remoteSessions(): Iterable<RemoteSession>;
  /** Queues a push for a session of another node; pushes leave once per turn, one message per node. */
  route(node: string, push: RoutedItem): void;
  /**
   * Asks every other node to send the group's timeline pushes waiting there (coalesced) now;
   * resolves once each has answered, after its pushes left (so what this node routes next reaches
   * a node after them), or after CLUSTER_FLUSH_WAIT_MS. Undefined when there is no node to ask
   * (no peer, or the link is down: nothing could be routed from them anyway).
   */
  flushGroupEverywhere(appId: string, groupId: string): Promise<void> | undefined;
}

/**
 * A force login: sessions of the user's device kind that logged in before it (by `loginMs`, then
 * node id) are kicked on every node. A later login is never kicked by an earlier one's control,
 * however late the control arrives.
 */
type Control = { t: 'force'; node: string; appId: string; userId: string; device: number; deviceId: string; sessionId: string; loginMs: number };

/**
 * A change of a large group (or an @mention) on `node`: every other node sends the group's
 * timeline pushes waiting there, and then answers `{ id, node }` on `node`'s flushed subject.
 */
type FlushControl = { t: 'flush'; node: string; id: number; appId: string; groupId: string };

/**
 * How long a change of a large group waits for the other nodes to send the group's waiting
 * pushes (flushGroupEverywhere); a node that has not answered by then (blocked, dying) is not
 * waited for: its pushes may then arrive after the change's notices.
 */
export const CLUSTER_FLUSH_WAIT_MS = 1_000;

/**
 * A force login's control that could not leave because the link was down waits this long for the
 * reconnect; older ones are dropped (the sessions they would kick, if older, meet a newer control
 * or stay: two sessions of one kind beat kicking the wrong one).
 */
export const CLUSTER_CONTROL_KEEP_MS = 60_000;

/** How long a starting node waits for a running node of its id to answer (NATS says "no responders" at once). */
const NODE_ID_ASK_MS = 2_000;

/** The process that runs a node id, as it answers a starting node that asks for the same id. */
interface NodeIdHolder {
  readonly pid: number;
  readonly host: string;
}

/**
 * Another running node already has this node id: two processes under one id would take each
 * other's routed pushes and presence, so the second one does not start (docs/server.md).
 */
export class NodeIdTakenError extends Error {
  constructor(nodeId: string, holder: NodeIdHolder) {
    super(`node id ${nodeId} is in use by a running node (pid ${holder.pid} on ${holder.host}): give each node its own --node-id`);
    this.name = 'NodeIdTakenError';
  }
}

/** Whether a session that logged in at `aMs` on node `aNode` came before one at `bMs` on `bNode`. */
export function loggedInBefore(aMs: number, aNode: string, bMs: number, bNode: string): boolean {
  return aMs < bMs || (aMs === bMs && aNode < bNode);
}

/**
 * One node's part in the cluster: presence out (its sessions) and in (the others'), pushes routed
 * to the nodes that hold their users, force-login kicks across nodes, and the catch-up NOTIFYs
 * that make up for pushes lost while routing could not reach a session (docs/server.md, "Cluster mode").
 */
export function createClusterNode(deps: ClusterNodeDeps): ClusterNode {
  const { config, sessions, clock, log, tuning } = deps;
  const nodeId = config.nodeId;
  const prefix = config.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const subjects = {
    presence: `${prefix}.presence`,
    control: `${prefix}.control`,
    pushTo: (node: string) => `${prefix}.push.${node}`,
    /** Answers to this node's flush controls. */
    flushed: (node: string) => `${prefix}.flushed.${node}`,
    /** The running node of an id answers here: a second process with its id refuses to start. */
    nodeId: (node: string) => `${prefix}.node.${node}`,
  };
  const epoch = randomBytes(6).toString('hex');
  const announcer = createPresenceAnnouncer(nodeId, epoch);
  let link: NatsLink | undefined;
  let stopped = false;
  let addresses: string[] = [];
  let routedOut = 0;
  let routedIn = 0;
  let beatTimer: TimerHandle | undefined;
  /** When the last beat ran: a beat far later than planned means this node's event loop was blocked. */
  let lastBeatMs = 0;
  /** Nodes this node forgot for silence, with the epoch it knew: when they are back, their sessions missed our routes. */
  const forgotten = new Map<string, string | undefined>();
  /** The epoch each other node last spoke with. */
  const epochs = new Map<string, string>();
  const recheckTimers = new Map<Session, TimerHandle>();
  /** This node's logged-in sessions, as the registry reported them, with when they logged in. */
  const local = new Map<Session, number>();
  /** The controls of this node's force-login sessions still logged in (sent again to a node that holds an older one). */
  const forceControls = new Map<Session, Control>();
  /** Controls waiting for the link to come back, with when they were made. */
  const heldControls: Control[] = [];
  /** Pushes waiting for the end of this turn, per node, with their approximate size. */
  const outgoing = new Map<string, { pushes: RoutedItem[]; bytes: number }>();
  let flushScheduled = false;
  /** This node's flush controls waiting for answers: the nodes still to answer. */
  const flushes = new Map<number, { waiting: Set<string>; done: () => void }>();
  let nextFlushId = 1;

  const mirror = createPresenceMirror({
    self: nodeId,
    now: () => clock.now(),
    silenceMs: tuning.clusterNodeSilenceMs,
    wantRetryMs: tuning.clusterHeartbeatMs,
    want: (target) => publishPresence({ t: 'want', node: nodeId, epoch, target }),
  });

  function publishPresence(message: PresenceMessage): void {
    link?.publish(subjects.presence, encodePresence(message));
  }

  function flushDelta(): void {
    const delta = announcer.takeDelta();
    if (delta) publishPresence(delta);
  }

  function publishSnapshot(): void {
    flushDelta();
    for (const part of announcer.snapshot(addresses, tuning.clusterSnapshotRowsPerPart)) publishPresence(part);
  }

  function flushPushes(node: string): void {
    const batch = outgoing.get(node);
    if (!batch) return;
    outgoing.delete(node);
    routedOut += batch.pushes.length;
    link?.publish(subjects.pushTo(node), encodeRoutedPushes(batch.pushes));
  }

  /** Once a turn: the presence changes first, then the pushes they may concern. */
  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      flushDelta();
      for (const node of [...outgoing.keys()]) flushPushes(node);
    });
  }

  let snapshotScheduled = false;
  function scheduleSnapshot(): void {
    if (snapshotScheduled) return;
    snapshotScheduled = true;
    setImmediate(() => {
      snapshotScheduled = false;
      publishSnapshot();
    });
  }

  function onPresence(data: Uint8Array): void {
    const message = decodePresence(data);
    if (message.node === nodeId) {
      if (message.epoch !== epoch) log.error({ nodeId }, 'another process uses this node id: give each node its own --node-id');
      return;
    }
    mirror.apply(message);
    epochs.set(message.node, message.epoch);
    if (message.t === 'bye') {
      forgotten.delete(message.node);
      epochs.delete(message.node);
    }
    // a node that joins, or lost track of us, gets our snapshot (one per turn, whoever asked)
    if (message.t === 'hello' || (message.t === 'want' && message.target === nodeId)) scheduleSnapshot();
    // what it routed to us while cut off (or blocked) is lost: our sessions pull
    if (message.t === 'hello' && message.rejoin === true) scheduleNotifyAll();
    // it had forgotten us for silence and routed nothing to our sessions since: they pull
    if (message.t === 'want' && message.target === nodeId && message.lost === true) {
      log.warn({ nodeId, by: message.node }, 'another node had forgotten this node for silence; its sessions pull what they missed');
      scheduleNotifyAll();
    }
    if (forgotten.has(message.node) && mirror.nodes().some((node) => node.node === message.node && node.synced)) backFromSilence(message.node, message.epoch);
  }

  /**
   * A node forgotten for silence is known again (its snapshot is in): pushes for its sessions
   * stored meanwhile were never routed, so it is told to NOTIFY them (now that routing to them
   * works again). If it is the same process (not a restart), it may have forgotten us too and
   * dropped pushes for our sessions: they pull as well.
   */
  function backFromSilence(node: string, itsEpoch: string): void {
    const sameProcess = forgotten.get(node) === itsEpoch;
    forgotten.delete(node);
    log.warn({ node, restarted: !sameProcess }, 'cluster node forgotten for silence is back; its sessions catch up');
    publishPresence({ t: 'want', node: nodeId, epoch, target: node, lost: true });
    if (sameProcess) scheduleNotifyAll();
  }

  function onPushes(data: Uint8Array): void {
    for (const push of decodeRoutedPushes(data)) {
      routedIn++;
      if (isShared(push)) {
        // once per run of frames: encoded once for every session of these users here
        sessions.toUsersSince(push.appId, push.userIds, push.minMinor, push.frames);
        continue;
      }
      const except = push.exceptSessionId === '' ? undefined : push.exceptSessionId;
      sessions.toUserSince(push.appId, push.userId, push.minMinor, push.frame, except);
    }
  }

  /** Another node changes a large group: this node's waiting pushes of it leave now, then it is told so. */
  function onFlush(control: FlushControl): void {
    deps.flushGroup?.(control.appId, control.groupId);
    // the routed ones too, before the answer: NATS keeps one connection's messages in order, so
    // the asking node's notices, routed after the answer, reach every node after these
    flushDelta();
    for (const node of [...outgoing.keys()]) flushPushes(node);
    link?.publish(subjects.flushed(control.node), Buffer.from(JSON.stringify({ id: control.id, node: nodeId }), 'utf8'));
  }

  function onFlushed(data: Uint8Array): void {
    const answer = JSON.parse(Buffer.from(data).toString('utf8')) as { id: number; node: string };
    const flush = flushes.get(answer.id);
    if (flush === undefined) return; // answered too late
    flush.waiting.delete(answer.node);
    if (flush.waiting.size === 0) flush.done();
  }

  function onControl(data: Uint8Array): void {
    const message = JSON.parse(Buffer.from(data).toString('utf8')) as Control | FlushControl;
    if (message.t === 'flush') {
      if (message.node !== nodeId) onFlush(message);
      return;
    }
    const control = message;
    if (control.t !== 'force' || control.node === nodeId) return;
    if (typeof control.loginMs !== 'number') {
      log.warn({ by: control.node }, 'force-login control without a login time ignored');
      return;
    }
    const mine = sessions.sessionsOf(control.appId, control.userId).filter((session) => session.caller.device === control.device);
    const replaced = mine.filter((session) => loggedInBefore(local.get(session) ?? 0, nodeId, control.loginMs, control.node));
    const reason = `logged in on another ${deviceName(control.device)} device${control.deviceId ? ` (${control.deviceId})` : ''}`;
    for (const session of replaced) {
      sessions.remove(session);
      session.kick(ErrorCode.KICKED_OFF, reason, control.device);
    }
    if (replaced.length > 0) log.info({ appId: control.appId, userId: control.userId, by: control.node, kicked: replaced.length }, 'force login on another node');
    // the control came late (held through an outage): a force login of ours that is newer tells
    // that node again, so its older session goes and ours stays
    for (const session of mine) {
      const own = forceControls.get(session);
      if (own && loggedInBefore(control.loginMs, control.node, own.loginMs, nodeId)) publishControl(own);
    }
  }

  function publishControl(control: Control): void {
    if (!link || link.state !== 'up') {
      // a long outage keeps only the controls still young enough to be sent (oldest first)
      const now = clock.now();
      while (heldControls.length > 0 && now - heldControls[0]!.loginMs > CLUSTER_CONTROL_KEEP_MS) heldControls.shift();
      heldControls.push(control);
      return;
    }
    link.publishKept(subjects.control, Buffer.from(JSON.stringify(control), 'utf8'));
  }

  /** After a reconnect: the held controls young enough to still be right. */
  function releaseControls(): void {
    const now = clock.now();
    for (const control of heldControls.splice(0)) {
      if (now - control.loginMs > CLUSTER_CONTROL_KEEP_MS) {
        log.warn({ appId: control.appId, userId: control.userId, heldMs: now - control.loginMs }, 'force-login control held too long through a NATS outage; dropped');
        continue;
      }
      publishControl(control);
    }
  }

  let notifyAllScheduled = false;
  /** One catch-up per turn, however many nodes rejoined in it. */
  function scheduleNotifyAll(): void {
    if (notifyAllScheduled) return;
    notifyAllScheduled = true;
    setImmediate(() => {
      notifyAllScheduled = false;
      notifyAll();
    });
  }

  /** Every local session pulls: pushes routed to us while the link was down are lost. */
  function notifyAll(): void {
    const all = [...local.keys()];
    const step = (from: number) => {
      if (stopped) return;
      const end = Math.min(all.length, from + 500);
      for (let i = from; i < end; i++) if (local.has(all[i]!)) deps.notify(all[i]!);
      // spread over turns: a node with many sessions keeps serving while it catches them up
      if (end < all.length) setImmediate(() => step(end));
    };
    step(0);
  }

  function beat(): void {
    if (stopped) return;
    const now = clock.now();
    const sinceLastMs = now - lastBeatMs;
    lastBeatMs = now;
    flushDelta();
    if (sinceLastMs > tuning.clusterNodeSilenceMs) {
      // this node's event loop was blocked: the others went silent only to us (the messages wait
      // in the socket), and they forgot our sessions. Rejoin: our snapshot, their sessions and ours pull.
      log.warn({ nodeId, blockedMs: sinceLastMs - tuning.clusterHeartbeatMs, silenceMs: tuning.clusterNodeSilenceMs }, 'this node was blocked for longer than the cluster silence limit; rejoining');
      mirror.touchAll();
      publishPresence({ t: 'hello', node: nodeId, epoch, rejoin: true });
      publishSnapshot();
      scheduleNotifyAll();
    } else {
      publishPresence(announcer.beat(addresses));
    }
    for (const node of mirror.dropSilent()) {
      forgotten.set(node, epochs.get(node));
      log.warn({ node, silentMs: tuning.clusterNodeSilenceMs }, 'cluster node went silent; forgetting its sessions');
    }
    beatTimer = clock.setTimeout(beat, tuning.clusterHeartbeatMs);
  }

  return {
    async start() {
      link = await openNatsLink({
        url: config.natsUrl,
        name: `magpie-${nodeId}`,
        log,
        reconnectWaitMs: tuning.clusterReconnectWaitMs,
        startTimeoutMs: tuning.clusterNatsStartTimeoutMs,
        onDisconnect: () => undefined,
        onReconnect: () => {
          if (stopped) return;
          publishPresence({ t: 'hello', node: nodeId, epoch, rejoin: true });
          publishSnapshot();
          releaseControls();
          notifyAll();
        },
      });
      const holder = await link.ask(subjects.nodeId(nodeId), NODE_ID_ASK_MS);
      if (holder !== undefined) {
        await link.close();
        link = undefined;
        throw new NodeIdTakenError(nodeId, JSON.parse(Buffer.from(holder).toString('utf8')) as NodeIdHolder);
      }
      const self: NodeIdHolder = { pid: process.pid, host: hostname() };
      link.answer(subjects.nodeId(nodeId), () => Buffer.from(JSON.stringify(self), 'utf8'));
      link.subscribe(subjects.presence, onPresence);
      link.subscribe(subjects.pushTo(nodeId), onPushes);
      link.subscribe(subjects.control, onControl);
      link.subscribe(subjects.flushed(nodeId), onFlushed);
      publishPresence({ t: 'hello', node: nodeId, epoch });
      publishSnapshot();
      lastBeatMs = clock.now();
      beatTimer = clock.setTimeout(beat, tuning.clusterHeartbeatMs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (beatTimer) clock.clearTimeout(beatTimer);
      for (const timer of recheckTimers.values()) clock.clearTimeout(timer);
      recheckTimers.clear();
      for (const flush of [...flushes.values()]) flush.done();
      if (link) {
        publishPresence({ t: 'bye', node: nodeId, epoch });
        await link.close();
      }
    },
    status() {
      return {
        nodeId,
        link: stopped ? 'stopped' : (link?.state ?? 'connecting'),
        peers: mirror.nodes().length,
        clusterSessions: local.size + mirror.nodes().reduce((sum, node) => sum + node.sessions, 0),
        routedOut,
        routedIn,
        droppedPublishes: link?.droppedPublishes ?? 0,
      };
    },
    setAddresses(list) {
      addresses = [...list];
      // the others learn them now, not at the next beat
      flushDelta();
      publishPresence(announcer.beat(addresses));
    },
    peerAddresses() {
      return mirror.nodes().flatMap((node) => node.addresses);
    },
    sessionUp(session, mode) {
      const { sessionId, appId, userId, device, deviceId, protocolMinor } = session.caller;
      const loginMs = clock.now();
      local.set(session, loginMs);
      const row: SessionRow = [sessionId, appId, userId, device, protocolMinor ?? 0, deviceId];
      announcer.up(row);
      scheduleFlush();
      if (mode === pb.LoginMode.FORCE) {
        const control: Control = { t: 'force', node: nodeId, appId, userId, device, deviceId, sessionId, loginMs };
        forceControls.set(session, control);
        publishControl(control);
      }
      // pushes other nodes routed before they knew of this session are pulled after this NOTIFY
      recheckTimers.set(
        session,
        clock.setTimeout(() => {
          recheckTimers.delete(session);
          if (local.has(session)) deps.notify(session);
        }, tuning.clusterLoginRecheckMs),
      );
    },
    sessionDown(session) {
      if (!local.delete(session)) return;
      forceControls.delete(session);
      announcer.down(session.caller.sessionId);
      const timer = recheckTimers.get(session);
      if (timer) clock.clearTimeout(timer);
      recheckTimers.delete(session);
      scheduleFlush();
    },
    remoteSessionsOf(appId, userId) {
      return mirror.sessionsOf(appId, userId);
    },
    remoteIsOnline(appId, userId) {
      return mirror.isOnline(appId, userId);
    },
    remoteSessions() {
      return mirror.all();
    },
    flushGroupEverywhere(appId, groupId) {
      const peers = mirror.nodes().map((node) => node.node);
      if (stopped || link === undefined || link.state !== 'up' || peers.length === 0) return undefined;
      const id = nextFlushId++;
      const control: FlushControl = { t: 'flush', node: nodeId, id, appId, groupId };
      return new Promise<void>((resolve) => {
        const timer = clock.setTimeout(() => {
          log.warn({ appId, groupId, silent: [...(flushes.get(id)?.waiting ?? [])] }, 'cluster nodes did not send a large group\'s waiting pushes in time; its change goes out without them');
          done();
        }, CLUSTER_FLUSH_WAIT_MS);
        const done = () => {
          clock.clearTimeout(timer);
          flushes.delete(id);
          resolve();
        };
        flushes.set(id, { waiting: new Set(peers), done });
        link!.publish(subjects.control, Buffer.from(JSON.stringify(control), 'utf8'));
      });
    },
    route(node, push) {
      let batch = outgoing.get(node);
      if (!batch) outgoing.set(node, (batch = { pushes: [], bytes: 0 }));
      batch.pushes.push(push);
      batch.bytes += isShared(push)
        ? push.frames.reduce((sum, frame) => sum + frame.body.length + 16, 0) + push.userIds.reduce((sum, userId) => sum + userId.length + 3, 32)
        : push.frame.body.length + push.userId.length + 32;
      // one NATS message has a size limit: a big turn leaves in several
      if (batch.bytes >= tuning.clusterRouteBatchBytes) flushPushes(node);
      else scheduleFlush();
    },
  };
}
