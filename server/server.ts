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

export interface MagpieServer {
  start(): Promise<{ port: number; tlsPort?: number }>;
  /** Stops accepting, finishes what is in flight, closes every session and the database. */
  stop(): Promise<void>;
  /** For the CLI's first-start demo and for tests: the identity of this server's database. */
  readonly identity: Identity;
  readonly users: UserStore;
  readonly db: Database;
  /** Open connections and logged-in sessions, for operators and tests. */
  stats(): { connections: number; sessions: number };
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
  const deps: ServerDeps = { db, clock, log, delivery: sessions };
  const ensureUser = (appId: string, userId: string) => users.ensureUser(appId, userId);

  // the features get ensureUser beside ServerDeps, for users they meet before those log in
  const featureDeps = { ...deps, ensureUser };
  const chat = createChatService({
    ...featureDeps,
    revokeWindowMs: tuning.revokeWindowMs,
    contentBytesPerSecond: tuning.contentBytesPerSecond,
    contentBurstBytes: tuning.contentBurstBytes,
    compressThresholdBytes: tuning.compressThresholdBytes,
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

  let state: 'new' | 'started' | 'stopped' = 'new';
  let checkpointer: WalCheckpointer | undefined;
  return {
    identity,
    users,
    db,
    stats: () => ({ connections: gateway.connectionCount, sessions: sessions.size }),
    async start() {
      if (state !== 'new') throw new Error(`the server is ${state}`);
      state = 'started';
      checkpointer = startWalCheckpointer({ db, log });
      const ports = await gateway.listen();
      log.info({ host: resolved.host, ...ports, dataDir: resolved.dataDir }, 'magpie server listening');
      return ports;
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      await gateway.stop();
      chat.flushWrites();
      await checkpointer?.stop();
      db.close();
      log.info('magpie server stopped');
    },
  };
}
