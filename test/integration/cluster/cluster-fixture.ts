import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../server/logger';
import { createMagpieServer, type MagpieServer } from '../../../server/server';
import { PgDatabase } from '../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../server/storage/pg/pg-url';
import type { Tuning } from '../../../server/tuning';
import { TestClient, type LoginOptions } from '../../support/test-client';
import { sessionOf, type Session } from '../server/chat-fixture';

/** The machine's NATS (docs/server.md); each world uses subjects of its own. */
export const MACHINE_NATS_URL = process.env.MAGPIE_TEST_NATS ?? 'nats://127.0.0.1:4222';
/** The machine's PostgreSQL; each world uses a schema of its own, dropped at close. */
export const CLUSTER_TEST_DB = process.env.MAGPIE_TEST_DB || 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema's URL on the test database. */
export function freshSchemaUrl(): { url: string; schema: string } {
  const schema = `magpie_cl_${randomBytes(6).toString('hex')}`;
  const url = new URL(CLUSTER_TEST_DB);
  url.searchParams.set('schema', schema);
  return { url: url.toString(), schema };
}

export function dropSchema(schema: string): void {
  const db = new PgDatabase({ conninfo: parsePgUrl(CLUSTER_TEST_DB).conninfo });
  try {
    db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    db.close();
  }
}

/** Quick presence so the tests wait less; the defaults are tested by the multi-process suite. */
const CLUSTER_TEST_TUNING: Partial<Tuning> = {
  scryptCost: 1024,
  clusterHeartbeatMs: 200,
  clusterNodeSilenceMs: 1_500,
  clusterLoginRecheckMs: 300,
};

export interface ClusterNodeHandle {
  readonly id: string;
  readonly server: MagpieServer;
  readonly port: number;
  readonly httpPort: number;
}

/**
 * Several real cluster nodes in this process, on real sockets, the machine's NATS and PostgreSQL
 * (one schema of its own), sharing one data folder, as a cluster's nodes do.
 */
export interface ClusterWorld {
  readonly nodes: ClusterNodeHandle[];
  readonly appId: string;
  readonly appToken: string;
  readonly accountSid: string;
  /** The main account's auth token (signs REST requests). */
  readonly authToken: string;
  readonly prefix: string;
  login(node: number, userId: string, options?: LoginOptions): Promise<Session>;
  /** Resolves once every node sees every other node's sessions as they are now. */
  settled(): Promise<void>;
  stopNode(node: number): Promise<void>;
  close(): Promise<void>;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `natsUrl`: one for every node, or one per node (a node may reach NATS through a proxy of the test's). */
export async function openClusterWorld(count: number, tuning: Partial<Tuning> = {}, natsUrl: string | readonly string[] = MACHINE_NATS_URL): Promise<ClusterWorld> {
  const dataDir = await mkdtemp(join(tmpdir(), 'magpie-cluster-'));
  const prefix = `cltest-${randomBytes(4).toString('hex')}`;
  const database = freshSchemaUrl();
  const nodes: ClusterNodeHandle[] = [];
  const stopped = new Set<number>();
  for (let i = 0; i < count; i++) {
    const id = `node${i + 1}`;
    const server = createMagpieServer({
      dataDir,
      database: database.url,
      host: '127.0.0.1',
      port: 0,
      httpPort: 0,
      tuning: { ...CLUSTER_TEST_TUNING, ...tuning },
      cluster: { natsUrl: typeof natsUrl === 'string' ? natsUrl : natsUrl[i]!, nodeId: id, subjectPrefix: prefix },
      // MAGPIE_TEST_LOG=debug shows what the nodes did, for a failure
      ...(process.env.MAGPIE_TEST_LOG ? { logger: createLogger({ level: process.env.MAGPIE_TEST_LOG as 'debug', name: id }) } : {}),
    });
    const ports = await server.start();
    nodes.push({ id, server, port: ports.port, httpPort: ports.httpPort ?? 0 });
  }
  const first = nodes[0]!.server;
  const accountSid = first.identity.createAccount().accountSid;
  const appId = first.identity.createApp(accountSid, 'cluster app').appId;
  const appToken = first.identity.getApp(appId)!.appToken;
  const authToken = first.identity.authTokenOf(accountSid) ?? first.identity.rotateAuthToken(accountSid).authToken;
  const sessions: Session[] = [];

  const world: ClusterWorld = {
    nodes,
    appId,
    appToken,
    accountSid,
    authToken,
    prefix,
    async login(node, userId, options = {}) {
      const client = await TestClient.connect(nodes[node]!.port);
      await client.hello();
      const login = await client.loginWithAppToken(appId, appToken, userId, options);
      const session = sessionOf(userId, client, login);
      sessions.push(session);
      return session;
    },
    async settled() {
      const live = nodes.filter((_, i) => !stopped.has(i));
      const total = live.reduce((sum, node) => sum + node.server.stats().sessions, 0);
      await waitFor(
        () =>
          live.every((node) => {
            const status = node.server.cluster()!;
            return status.peers === live.length - 1 && status.clusterSessions === total;
          }),
        10_000,
        'every node to see every session of the cluster',
      );
    },
    async stopNode(node) {
      stopped.add(node);
      await nodes[node]!.server.stop();
    },
    async close() {
      await Promise.all(sessions.map((session) => session.close()));
      for (let i = 0; i < nodes.length; i++) if (!stopped.has(i)) await nodes[i]!.server.stop();
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
      dropSchema(database.schema);
    },
  };
  return world;
}
