import type { SqlDatabase } from './storage/sql-database';
import type { FastifyInstance } from 'fastify';
import { bodyFrame, systemClock } from '../protocol';
import { createAccessControl, type AccessControl } from './access/access-control';
import { startRevocationWatcher, type RevocationWatcher } from './access/revocation-watcher';
import { createAuthenticator } from './auth/authenticator';
import { createAccountLoginLimiter } from './auth/account-login-limiter';
import { createLoginLimiter } from './auth/login-limiter';
import { resolveConfig, type ServerConfig } from './config';
import { createGateway } from './gateway/gateway';
import { createSessionRegistry, type Session } from './gateway/sessions';
import { createClusterNode, type ClusterNode, type ClusterStatus } from './cluster/cluster-node';
import { createClusterDelivery } from './cluster/cluster-delivery';
import { createClusterSessionView } from './cluster/cluster-session-view';
import { clientAddresses, mergeAdvertised } from './cluster/advertised-addresses';
import { DEFAULT_SUBJECT_PREFIX } from './cluster/cluster-config';
import { redactNatsUrl } from './cluster/nats-url';
import { startWalCheckpointer, type WalCheckpointer } from './storage/wal-checkpointer';
import { createChatService } from './chat';
import { createFileService, type FileService } from './files';
import { createGroupService } from './groups';
import { createHttpServer } from './http/http-server';
import type { Delivery, HandlerTable, ServerDeps } from './handler-types';
import { createIdentity, type Identity } from './identity/identity';
import { openServerKeyFor } from './identity/server-key-check';
import { createUserStore, type UserStore } from './identity/users';
import { createSilentLogger } from './logger';
import { createConversationMutes } from './profiles/conversation-mutes';
import { createProfileService } from './profiles/profile-service';
import { createWindowLossLog } from './storage/window-loss-log';
import { sqliteConnection } from './storage/database';
import { refuseEmptiedDatabase, refuseEmptiedSchema, refuseLostDatabase } from './storage/lost-database';
import { openStore } from './storage/open-store';
import { runMigrations } from './storage/migrate';
import { migrations } from './storage/migrations';
import { createOpsMetrics, createOpsPlugin, type OpsSources } from './ops/ops-plugin';
import { createPushService } from './push/push-service';
import { createPushSettings } from './push/push-settings';
import { createRestServices } from './rest/rest-services';
import { createConsolePlugin } from './console/console-plugin';
import { resolve } from 'node:path';

export interface MagpieServer {
  start(): Promise<{ port: number; tlsPort?: number; httpPort?: number }>;
  /** Stops accepting, finishes what is in flight, closes every session and the database. */
  stop(): Promise<void>;
  /** For the CLI's first-start demo and for tests: the identity of this server's database. */
  readonly identity: Identity;
  readonly users: UserStore;
  readonly db: SqlDatabase;
  /** Takes access away (closed sub-accounts, apps offline) and ends the sessions it no longer allows. */
  readonly access: AccessControl;
  /** Uploads, downloads and media tokens. */
  readonly files: FileService;
  /** Open connections and logged-in sessions, for operators and tests. */
  stats(): { connections: number; sessions: number };
  /** Recipients with an offline push pending. */
  pushQueueDepth(): number;
  /** The cluster node's id and link, when the server runs as one (ServerConfig.cluster). */
  cluster(): ClusterStatus | undefined;
  /**
   * PostgreSQL: called once when the database connection is lost. From then on /healthz answers
   * 503 and requests STORAGE_UNAVAILABLE; the CLI stops the node and exits 4, for its supervisor to
   * start it again (there is no reconnect: docs/server.md "PostgreSQL").
   */
  onDatabaseLost(listener: (error: Error) => void): void;
}


/** Composes storage, identity, auth, the services and the gateway into one server. */
export function createMagpieServer(config: ServerConfig): MagpieServer {
  const resolved = resolveConfig(config);
  const { tuning } = resolved;
  const clock = config.clock ?? systemClock;
  const log = config.logger ?? createSilentLogger();

  // a used folder whose SQLite database is gone is refused before a new, empty one is made there
  if (config.database === undefined) refuseLostDatabase(resolved.dataDir);
  const db = openStore(resolved.dataDir, config.database, {
    busyTimeoutMs: tuning.sqliteBusyTimeoutMs,
    server: {
      ...(tuning.commitWindowMs > 0
        ? {
            commitWindow: {
              windowMs: tuning.commitWindowMs,
              gapMs: tuning.commitWindowGapMs,
              maxLogBytes: tuning.redoLogMaxBytes,
              onWindowLost: createWindowLossLog(log),
            },
          }
        : {}),
    },
    pgTimeouts: { lockMs: tuning.pgLockTimeoutMs, statementMs: tuning.pgStatementTimeoutMs, idleInTransactionMs: tuning.pgIdleInTransactionTimeoutMs },
    // a cluster node's session is named after the node in pg_stat_activity (else magpie-<schema>)
    ...(config.cluster ? { applicationName: `magpie-${config.cluster.nodeId}` } : {}),
  });
  // whatever fails from here on closes the database, which lets go of the data folder: an embedding
  // process (the desktop's local server) may then try again without a restart
  try {
    const sqlite = sqliteConnection(db);
    if (sqlite !== undefined) refuseEmptiedDatabase(sqlite, resolved.dataDir);
    else refuseEmptiedSchema(db, resolved.dataDir);
    runMigrations(db, migrations, () => clock.now());
    return composeServer();
  } catch (error) {
    db.close();
    throw error;
  }

  function composeServer(): MagpieServer {
    const serverKey = openServerKeyFor(db, resolved.dataDir);
    const users = createUserStore({ db, clock });
    const identity = createIdentity({ db, clock, serverKey, users, scryptCost: tuning.scryptCost });
    // a cluster node tells the others of each session; built below, once the services exist
    let clusterNode: ClusterNode | undefined;
    const sessions = createSessionRegistry(
      tuning,
      resolved.cluster && {
        up: (session, mode) => clusterNode?.sessionUp(session, mode),
        down: (session) => clusterNode?.sessionDown(session),
      },
    );
    // what the services deliver through: this node's sessions, or the whole cluster's
    let reach: Omit<Delivery, 'offline'> = sessions;
    const pushSettings = createPushSettings(db, serverKey);
    const mutes = createConversationMutes({
      db,
      delivery: { toUserSince: (appId, userId, minMinor, frame, except) => reach.toUserSince!(appId, userId, minMinor, frame, except) },
      tuning,
    });
    const push = createPushService({
      db,
      clock,
      log,
      users,
      settings: pushSettings,
      isOnline: (a, u) => reach.isOnline(a, u),
      isMuted: (a, u, peer) => mutes.isMuted(a, u, peer),
      tuning,
    });
    // the sessions deliver; what finds no session goes to the offline push
    const delivery: Delivery = {
      toUser: (appId, userId, frame, except) => reach.toUser(appId, userId, frame, except),
      toUserSince: (appId, userId, minMinor, frame, except) => reach.toUserSince!(appId, userId, minMinor, frame, except),
      onlineBelow: (appId, userId, minor) => reach.onlineBelow!(appId, userId, minor),
      // a large group's pushes: on a cluster node, to the members on every node (cluster-delivery.ts)
      toUsersSince: (appId, userIds, minMinor, frames) => reach.toUsersSince!(appId, userIds, minMinor, frames),
      isOnline: (appId, userId) => reach.isOnline(appId, userId),
      isOnlineBesides: (appId, userId, except) => reach.isOnlineBesides!(appId, userId, except),
      offline: (appId, userId, entry) => push.offline(appId, userId, entry),
      offlineTimeline: (appId, readers, entry) => push.offlineTimeline(appId, readers, entry),
    };
    let listening = false;
    // message ids tell time, not counts: the metric counts rows. PostgreSQL reads the statistics'
    // live row count instead: a COUNT(*) there scans the table, with the node's event loop waiting
    const messagesStored = db
      .prepare<[], number | null>(
        db.dialect === 'postgres'
          ? "SELECT COALESCE((SELECT n_live_tup FROM pg_stat_user_tables WHERE relid = to_regclass('messages')), 0)"
          : 'SELECT COUNT(*) FROM messages',
      )
      .pluck();
    // the gateway is built below, after the services whose commits the metrics time
    let connectionCount = () => 0;
    const opsSources: OpsSources = {
      // PostgreSQL: one round trip, so a lost connection turns /healthz to 503 without other traffic
      ready: () => db.open && listening && (db.ping?.() ?? true),
      connections: () => connectionCount(),
      sessions: () => sessions.size,
      messagesStored: () => messagesStored.get() ?? 0,
      pushQueueDepth: () => push.depth(),
      ...(resolved.cluster ? { cluster: () => clusterNode?.status() } : {}),
    };
    const metrics = createOpsMetrics(opsSources);
    const deps: ServerDeps = { db, clock, log, delivery };
    const access = createAccessControl({ db, clock, identity, sessions });
    const ensureUser = (appId: string, userId: string) => users.ensureUser(appId, userId);

    // the features get ensureUser beside ServerDeps, for users they meet before those log in
    const featureDeps = { ...deps, ensureUser };
    // a media token ends with its user's access (a closed sub-account, an app offline), not an hour later
    const files = createFileService({ db, clock, log, tuning, dataDir: resolved.dataDir, refusalOf: (appId, userId) => access.refusalOf(appId, userId) });
    const chat = createChatService({
      ...featureDeps,
      media: files.references,
      revokeWindowMs: tuning.revokeWindowMs,
      contentBytesPerSecond: tuning.contentBytesPerSecond,
      contentBurstBytes: tuning.contentBurstBytes,
      compressThresholdBytes: tuning.compressThresholdBytes,
      groupTimelineThreshold: tuning.groupTimelineThreshold,
      legacyCopyEntriesPerCall: tuning.legacyCopyEntriesPerCall,
      largeGroupPushIntervalMs: tuning.largeGroupPushIntervalMs,
      onCommit: (seconds) => metrics.observeCommit(seconds),
      // a cluster node: a large group's change waits for the pushes waiting on the other nodes
      ...(resolved.cluster ? { othersWaiting: (appId: string, groupId: string) => clusterNode?.flushGroupEverywhere(appId, groupId) } : {}),
    });
    const groups = createGroupService({ ...featureDeps, afterGroupPushes: (appId, groupIds, deliver) => chat.afterGroupPushes(appId, groupIds, deliver) });
    const profiles = createProfileService({ users, tuning });
    const handlers: HandlerTable = {
      ...chat.handlers,
      ...groups.handlers,
      ...profiles.handlers,
      ...mutes.handlers,
      MEDIA_TOKEN: ({ caller }) => bodyFrame('MEDIA_TOKEN_RESULT', mediaTokenBody(caller.appId, caller.userId)),
    };
    let httpPort = 0;
    const mediaTokenBody = (appId: string, userId: string) => {
      const issued = files.tokens.issue(appId, userId);
      return { token: issued.token, expiresMs: BigInt(issued.expiresMs) };
    };

    const authenticator = createAuthenticator({
      identity,
      users,
      clock,
      addressLimiter: createLoginLimiter({
        clock,
        maxFailures: tuning.maxFailedLoginsPerAddress,
        windowMs: tuning.addressFailedLoginWindowMs,
        maxKeys: tuning.maxTrackedLoginKeys,
      }),
      limiter: createLoginLimiter({
        clock,
        maxFailures: tuning.maxFailedLogins,
        windowMs: tuning.failedLoginWindowMs,
        maxKeys: tuning.maxTrackedLoginKeys,
      }),
      accountLimiter: createAccountLoginLimiter({
        clock,
        maxFailures: tuning.maxFailedLoginsPerAccount,
        windowMs: tuning.accountFailedLoginWindowMs,
        maxKeys: tuning.maxTrackedLoginKeys,
      }),
      signatureWindowMs: tuning.signatureWindowMs,
      md5TimestampUtcOffsetMinutes: tuning.md5TimestampUtcOffsetMinutes,
      scryptCost: tuning.scryptCost,
      fakeSaltKey: serverKey.derive('password-challenge-fake-salt'),
    });
    const gateway = createGateway({
      host: resolved.host,
      port: resolved.port,
      tls: resolved.tls,
      clock,
      log,
      tuning,
      authenticator,
      sessions,
      handlers,
      inboxHead: (appId, userId, clientMinor) => chat.inboxHead(appId, userId, clientMinor),
      httpPort: () => httpPort,
      loginExtras: (appId, userId) => ({
        httpPort,
        mediaToken: mediaTokenBody(appId, userId),
        // a cluster node adds the other nodes' addresses, so clients can move when this one goes
        advertisedAddresses: clusterNode ? mergeAdvertised(resolved.advertise, clusterNode.peerAddresses()) : [...resolved.advertise],
      }),
    });
    if (resolved.cluster) {
      clusterNode = createClusterNode({
        config: resolved.cluster,
        sessions,
        clock,
        log,
        tuning,
        flushGroup: (appId, groupId) => chat.flushGroupPushes(appId, groupId),
        notify: (session: Session) => {
          const head = chat.inboxHead(session.caller.appId, session.caller.userId);
          session.send(bodyFrame('NOTIFY', { maxSeq: BigInt(head.maxSeq) }));
        },
      });
      reach = createClusterDelivery(sessions, clusterNode);
    }
    connectionCount = () => gateway.connectionCount;
    const rest = createRestServices({
      db,
      clock,
      log,
      tuning,
      identity,
      users,
      // the REST presence query and the console's online count see every node
      sessions: clusterNode ? createClusterSessionView(sessions, clusterNode) : sessions,
      access,
      handlers,
      pushSettings,
      files,
      onRefused: () => metrics.countRefusal(),
    });
    const http =
      resolved.httpPort === undefined
        ? undefined
        : createHttpServer({
            host: resolved.host,
            port: resolved.httpPort,
            log,
            bodyLimitBytes: tuning.httpBodyLimitBytes,
            shutdownGraceMs: tuning.shutdownGraceMs,
            unrouted: rest.unrouted,
            routes: [
              (app: FastifyInstance) => files.plugin(app),
              rest.plugin,
              createOpsPlugin({ sources: opsSources, metrics }),
              // `npm run build` writes the console's page there (vite.console.config.ts)
              createConsolePlugin({ rest: rest.context, assetsDir: resolve(import.meta.dirname, '../out/console'), onRefused: () => metrics.countRefusal() }),
            ],
          });

    db.onConnectionLost?.((error) => log.error({ err: error }, 'lost the database connection'));
    let state: 'new' | 'started' | 'stopped' = 'new';
    let checkpointer: WalCheckpointer | undefined;
    let revocations: RevocationWatcher | undefined;
    return {
      identity,
      users,
      db,
      access,
      files,
      stats: () => ({ connections: gateway.connectionCount, sessions: sessions.size }),
      pushQueueDepth: () => push.depth(),
      cluster: () => clusterNode?.status(),
      onDatabaseLost: (listener) => db.onConnectionLost?.(listener),
      async start() {
        if (state !== 'new') throw new Error(`the server is ${state}`);
        state = 'started';
        checkpointer = startWalCheckpointer({ db, log });
        revocations = startRevocationWatcher({
          db,
          clock,
          log,
          intervalMs: tuning.revocationPollMs,
          onRevoked: (revocation) => {
            const ended = access.enforce(revocation);
            if (ended > 0) log.info({ ...revocation, ended }, 'ended sessions whose access was taken away');
          },
        });
        if (http) httpPort = await http.listen();
        files.sweeper.start();
        // the link first: no session logs in before the other nodes can hear of it
        await clusterNode?.start();
        const ports = { ...(await gateway.listen()), ...(http ? { httpPort } : {}) };
        clusterNode?.setAddresses(clientAddresses(resolved.host, ports));
        listening = true;
        if (resolved.cluster) {
          // said once the node listens: a start that fails (a port taken) says only why, in one line
          const { nodeId, natsUrl, subjectPrefix } = resolved.cluster;
          log.info({ nodeId, nats: redactNatsUrl(natsUrl), prefix: subjectPrefix ?? DEFAULT_SUBJECT_PREFIX }, 'joined the cluster');
        }
        push.start();
        rest.broadcasts.resume();
        log.info({ host: resolved.host, ...ports, dataDir: resolved.dataDir }, 'magpie server listening');
        return ports;
      },
      async stop() {
        if (state === 'stopped') return;
        state = 'stopped';
        revocations?.stop();
        // a start that failed (a port taken) was already reported in one line: no "stopped" after it
        const wasListening = listening;
        listening = false;
        await rest.broadcasts.stop();
        await gateway.stop();
        await clusterNode?.stop();
        await http?.close();
        await files.sweeper.stop();
        chat.flushWrites();
        await push.stop();
        await checkpointer?.stop();
        db.close();
        if (wasListening) log.info('magpie server stopped');
      },
    };
  }
}
