import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, pb, type Clock, type TimerHandle } from '../../protocol';
import { deviceName, type Session, type SessionRegistry } from '../gateway/sessions';
import type { Tuning } from '../tuning';
import { DEFAULT_SUBJECT_PREFIX, type ClusterConfig } from './cluster-config';
import { openNatsLink, type LinkState, type NatsLink } from './nats-link';
import { createPresenceAnnouncer } from './presence-announcer';
import { decodePresence, encodePresence, type PresenceMessage, type SessionRow } from './presence-messages';
import { createPresenceMirror, type RemoteSession } from './presence-mirror';
import { decodeRoutedPushes, encodeRoutedPushes, type RoutedPush } from './route-codec';

export type ClusterTuning = Pick<
  Tuning,
  'clusterHeartbeatMs' | 'clusterNodeSilenceMs' | 'clusterLoginRecheckMs' | 'clusterSnapshotRowsPerPart' | 'clusterRouteBatchBytes' | 'clusterReconnectWaitMs'
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
  route(node: string, push: RoutedPush): void;
}

type Control = { t: 'force'; node: string; appId: string; userId: string; device: number; deviceId: string; sessionId: string };

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
  };
  const epoch = randomBytes(6).toString('hex');
  const announcer = createPresenceAnnouncer(nodeId, epoch);
  let link: NatsLink | undefined;
  let stopped = false;
  let addresses: string[] = [];
  let routedOut = 0;
  let routedIn = 0;
  let beatTimer: TimerHandle | undefined;
  const recheckTimers = new Map<Session, TimerHandle>();
  /** This node's logged-in sessions, as the registry reported them. */
  const local = new Set<Session>();
  /** Pushes waiting for the end of this turn, per node, with their approximate size. */
  const outgoing = new Map<string, { pushes: RoutedPush[]; bytes: number }>();
  let flushScheduled = false;

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
    // a node that joins, or lost track of us, gets our snapshot (one per turn, whoever asked)
    if (message.t === 'hello' || (message.t === 'want' && message.target === nodeId)) scheduleSnapshot();
    // what it routed to us while cut off is lost: our sessions pull
    if (message.t === 'hello' && message.rejoin === true) scheduleNotifyAll();
  }

  function onPushes(data: Uint8Array): void {
    for (const push of decodeRoutedPushes(data)) {
      routedIn++;
      const except = push.exceptSessionId === '' ? undefined : push.exceptSessionId;
      sessions.toUserSince(push.appId, push.userId, push.minMinor, push.frame, except);
    }
  }

  function onControl(data: Uint8Array): void {
    const control = JSON.parse(Buffer.from(data).toString('utf8')) as Control;
    if (control.t !== 'force' || control.node === nodeId) return;
    const replaced = sessions.sessionsOf(control.appId, control.userId).filter((session) => session.caller.device === control.device);
    const reason = `logged in on another ${deviceName(control.device)} device${control.deviceId ? ` (${control.deviceId})` : ''}`;
    for (const session of replaced) {
      sessions.remove(session);
      session.kick(ErrorCode.KICKED_OFF, reason, control.device);
    }
    if (replaced.length > 0) log.info({ appId: control.appId, userId: control.userId, by: control.node, kicked: replaced.length }, 'force login on another node');
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
    const all = [...local];
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
    flushDelta();
    publishPresence(announcer.beat(addresses));
    for (const node of mirror.dropSilent()) log.warn({ node, silentMs: tuning.clusterNodeSilenceMs }, 'cluster node went silent; forgetting its sessions');
    beatTimer = clock.setTimeout(beat, tuning.clusterHeartbeatMs);
  }

  return {
    async start() {
      link = await openNatsLink({
        url: config.natsUrl,
        name: `magpie-${nodeId}`,
        log,
        reconnectWaitMs: tuning.clusterReconnectWaitMs,
        onDisconnect: () => undefined,
        onReconnect: () => {
          if (stopped) return;
          publishPresence({ t: 'hello', node: nodeId, epoch, rejoin: true });
          publishSnapshot();
          notifyAll();
        },
      });
      link.subscribe(subjects.presence, onPresence);
      link.subscribe(subjects.pushTo(nodeId), onPushes);
      link.subscribe(subjects.control, onControl);
      publishPresence({ t: 'hello', node: nodeId, epoch });
      publishSnapshot();
      beatTimer = clock.setTimeout(beat, tuning.clusterHeartbeatMs);
      log.info({ nodeId, nats: config.natsUrl, prefix }, 'joined the cluster');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (beatTimer) clock.clearTimeout(beatTimer);
      for (const timer of recheckTimers.values()) clock.clearTimeout(timer);
      recheckTimers.clear();
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
      local.add(session);
      const row: SessionRow = [sessionId, appId, userId, device, protocolMinor ?? 0, deviceId];
      announcer.up(row);
      scheduleFlush();
      if (mode === pb.LoginMode.FORCE) {
        const control: Control = { t: 'force', node: nodeId, appId, userId, device, deviceId, sessionId };
        link?.publishKept(subjects.control, Buffer.from(JSON.stringify(control), 'utf8'));
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
    route(node, push) {
      let batch = outgoing.get(node);
      if (!batch) outgoing.set(node, (batch = { pushes: [], bytes: 0 }));
      batch.pushes.push(push);
      batch.bytes += push.frame.body.length + push.userId.length + 32;
      // one NATS message has a size limit: a big turn leaves in several
      if (batch.bytes >= tuning.clusterRouteBatchBytes) flushPushes(node);
      else scheduleFlush();
    },
  };
}
