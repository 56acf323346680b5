import type { Database } from 'better-sqlite3';
import { systemClock } from '../protocol';
import { createAuthenticator } from './auth/authenticator';
import { createAccountLoginLimiter } from './auth/account-login-limiter';
import { createLoginLimiter } from './auth/login-limiter';
import { resolveConfig, type ServerConfig } from './config';
import { createGateway } from './gateway/gateway';
import { createSessionRegistry } from './gateway/sessions';
import { startWalCheckpointer, type WalCheckpointer } from './storage/wal-checkpointer';
import { createChatService } from './chat';
import { createGroupService } from './groups';
import type { HandlerTable, ServerDeps } from './handler-types';
import { createIdentity, type Identity } from './identity/identity';
import { loadOrCreateServerKey } from './identity/server-key';
import { createUserStore, type UserStore } from './identity/users';
import { createSilentLogger } from './logger';
import { createProfileService } from './profiles/profile-service';
import { openDatabase } from './storage/database';
import { runMigrations } from './storage/migrate';
import { migrations } from './storage/migrations';
import { startHttpListener, type HttpListener } from './http/listener';
import { createOpsMetrics, createOpsPlugin, type OpsSources } from './ops/ops-plugin';
import { createPushService } from './push/push-service';
import { createPushSettings } from './push/push-settings';
import { createRestServices } from './rest/rest-services';
import type { Delivery } from './handler-types';

export interface MagpieServer {
  start(): Promise<{ port: number; tlsPort?: number; httpPort?: number }>;
  /** Stops accepting, finishes what is in flight, closes every session and the database. */
  stop(): Promise<void>;
  /** For the CLI's first-start demo and for tests: the identity of this server's database. */
  readonly identity: Identity;
  readonly users: UserStore;
  readonly db: Database;
  /** Open connections and logged-in sessions, for operators and tests. */
  stats(): { connections: number; sessions: number };
  /** Recipients with an offline push pending. */
  pushQueueDepth(): number;
}


/** Composes storage, identity, auth, the services and the gateway into one server. */
export function createMagpieServer(config: ServerConfig): MagpieServer {
  const resolved = resolveConfig(config);
  const { tuning } = resolved;
  const clock = config.clock ?? systemClock;
  const log = config.logger ?? createSilentLogger();

  const db = openDatabase(resolved.dataDir, { busyTimeoutMs: tuning.sqliteBusyTimeoutMs });
  try {
    runMigrations(db, migrations, () => clock.now());
  } catch (error) {
    db.close();
    throw error;
  }
  const serverKey = loadOrCreateServerKey(resolved.dataDir);
  const users = createUserStore({ db, clock });
  const identity = createIdentity({ db, clock, serverKey, users, scryptCost: tuning.scryptCost });
  const sessions = createSessionRegistry();
  const pushSettings = createPushSettings(db, serverKey);
  const push = createPushService({ db, clock, log, users, settings: pushSettings, isOnline: (a, u) => sessions.isOnline(a, u), tuning });
  // the sessions deliver; what finds no session goes to the offline push
  const delivery: Delivery = {
    toUser: (appId, userId, frame, except) => sessions.toUser(appId, userId, frame, except),
    isOnline: (appId, userId) => sessions.isOnline(appId, userId),
    offline: (appId, userId, entry) => push.offline(appId, userId, entry),
  };
  let listening = false;
  const messagesStored = db.prepare<[], number | null>('SELECT MAX(msg_id) FROM messages').pluck();
  // the gateway is built below, after the services whose commits the metrics time
  let connectionCount = () => 0;
  const opsSources: OpsSources = {
    ready: () => db.open && listening,
    connections: () => connectionCount(),
    sessions: () => sessions.size,
    messagesStored: () => messagesStored.get() ?? 0,
    pushQueueDepth: () => push.depth(),
  };
  const metrics = createOpsMetrics(opsSources);
  const deps: ServerDeps = { db, clock, log, delivery };
  const ensureUser = (appId: string, userId: string) => users.ensureUser(appId, userId);

  // the features get ensureUser beside ServerDeps, for users they meet before those log in
  const featureDeps = { ...deps, ensureUser };
  const chat = createChatService({
    ...featureDeps,
    revokeWindowMs: tuning.revokeWindowMs,
    compressThresholdBytes: tuning.compressThresholdBytes,
    onCommit: (seconds) => metrics.observeCommit(seconds),
  });
  const groups = createGroupService(featureDeps);
  const profiles = createProfileService({ users, tuning });
  const handlers: HandlerTable = { ...chat.handlers, ...groups.handlers, ...profiles.handlers };

  const authenticator = createAuthenticator({
    identity,
    users,
    clock,
    limiter: createLoginLimiter({ clock, maxFailures: tuning.maxFailedLogins, windowMs: tuning.failedLoginWindowMs }),
    accountLimiter: createAccountLoginLimiter({
      clock,
      maxFailures: tuning.maxFailedLoginsPerAccount,
      windowMs: tuning.accountFailedLoginWindowMs,
    }),
    signatureWindowMs: tuning.signatureWindowMs,
    md5TimestampUtcOffsetMinutes: tuning.md5TimestampUtcOffsetMinutes,
    scryptCost: tuning.scryptCost,
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
    inboxHead: (appId, userId) => chat.inboxHead(appId, userId),
  });
  connectionCount = () => gateway.connectionCount;
  const rest = createRestServices({
    db,
    clock,
    log,
    tuning,
    identity,
    users,
    sessions,
    handlers,
    pushSettings,
    onRefused: () => metrics.countRefusal(),
  });
  let http: HttpListener | undefined;

  let state: 'new' | 'started' | 'stopped' = 'new';
  let checkpointer: WalCheckpointer | undefined;
  return {
    identity,
    users,
    db,
    stats: () => ({ connections: gateway.connectionCount, sessions: sessions.size }),
    pushQueueDepth: () => push.depth(),
    async start() {
      if (state !== 'new') throw new Error(`the server is ${state}`);
      state = 'started';
      checkpointer = startWalCheckpointer({ db, log });
      const ports = await gateway.listen();
      listening = true;
      push.start();
      rest.broadcasts.resume();
      if (resolved.httpPort !== undefined) {
        http = await startHttpListener({
          host: resolved.host,
          port: resolved.httpPort,
          plugins: [rest.plugin, createOpsPlugin({ sources: opsSources, metrics })],
          log,
          bodyLimitBytes: tuning.httpBodyLimitBytes,
        });
      }
      const all = http ? { ...ports, httpPort: http.port } : ports;
      log.info({ host: resolved.host, ...all, dataDir: resolved.dataDir }, 'magpie server listening');
      return all;
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      listening = false;
      await http?.close();
      await rest.broadcasts.stop();
      await gateway.stop();
      chat.flushWrites();
      await push.stop();
      await checkpointer?.stop();
      db.close();
      log.info('magpie server stopped');
    },
  };
}
