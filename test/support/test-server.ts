import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../protocol';
import type { SubAccountCreated } from '../../server/identity/identity';
import { createMagpieServer, type MagpieServer } from '../../server/server';
import type { Tuning } from '../../server/tuning';
import { dropTestSchema, testDatabaseUrl } from './test-database';

/**
 * A real Magpie server on a loopback port with its data in a fresh temp folder, plus one main
 * account and one online app. stop() closes it and deletes the folder (unless keepData). With
 * MAGPIE_TEST_DB set the server stores in a PostgreSQL schema of its own, named in the folder and
 * dropped with it (test-database.ts).
 */
export interface TestServer {
  readonly server: MagpieServer;
  readonly port: number;
  readonly tlsPort: number | undefined;
  /** The HTTP listener (file service, REST, /healthz, /metrics). */
  readonly httpPort: number;
  readonly dataDir: string;
  readonly accountSid: string;
  /** The main account's auth token (signs REST requests). */
  readonly authToken: string;
  readonly appId: string;
  readonly appToken: string;
  /** A sub-account of the app: log in with voipAccount + voipPwd. */
  createUser(friendlyName: string): SubAccountCreated;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  readonly tuning?: Partial<Tuning>;
  readonly dataDir?: string;
  /** A fixed port, to restart a stopped server where its clients expect it (default: any free port). */
  readonly port?: number;
  readonly clock?: Clock;
  readonly tls?: { certFile: string; keyFile: string };
  /** The HTTP listener's port; any free port by default. */
  readonly httpPort?: number;
  /** The server's log (silent by default). */
  readonly logger?: Logger;
}

/** Cheap scrypt: the tests check behaviour, not hashing cost. */
const TEST_TUNING: Partial<Tuning> = { scryptCost: 1024 };

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'magpie-test-')));
  const database = testDatabaseUrl(dataDir);
  const server = createMagpieServer({
    dataDir,
    ...(database === undefined ? {} : { database }),
    host: '127.0.0.1',
    port: options.port ?? 0,
    httpPort: options.httpPort ?? 0,
    tuning: { ...TEST_TUNING, ...options.tuning },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.tls ? { tls: { ...options.tls, port: 0 } } : {}),
  });
  const ports = await server.start();
  const existing = server.db.prepare('SELECT app_id, account_sid FROM apps ORDER BY created_ms LIMIT 1').get() as
    | { app_id: string; account_sid: string }
    | undefined;
  let accountSid: string;
  let appId: string;
  if (existing) {
    accountSid = existing.account_sid;
    appId = existing.app_id;
  } else {
    accountSid = server.identity.createAccount().accountSid;
    appId = server.identity.createApp(accountSid, 'test app').appId;
  }
  const appToken = server.identity.getApp(appId)!.appToken;
  const authToken = server.identity.authTokenOf(accountSid) ?? server.identity.rotateAuthToken(accountSid).authToken;
  return {
    server,
    port: ports.port,
    tlsPort: ports.tlsPort,
    httpPort: ports.httpPort ?? 0,
    dataDir,
    accountSid,
    authToken,
    appId,
    appToken,
    createUser: (friendlyName) => server.identity.createSubAccount(appId, friendlyName),
    async stop(stopOptions = {}) {
      await server.stop();
      if (stopOptions.keepData) return;
      dropTestSchema(dataDir);
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
