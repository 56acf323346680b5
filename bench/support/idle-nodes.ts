/**
 * The nodes the idle-sessions bench fills: a cluster on a PostgreSQL schema of its own with NATS
 * when this tree has cluster mode, otherwise independent SQLite servers (one app each) so the
 * per-session cost of the gateway is still measured; the bench prints which it ran.
 */
import type { Tuning } from '../../server/tuning';
import { startMagpieNodes } from './magpie-cluster';
import { forkMagpieServer, type BenchServer } from './magpie-server';
import { createBenchSchema, type BenchSchema } from './pg-schema';

export interface IdleNode {
  readonly server: BenchServer;
  readonly appId: string;
  readonly appToken: string;
}

export interface IdleNodes {
  readonly nodes: readonly IdleNode[];
  readonly schema?: BenchSchema;
  stop(): Promise<void>;
}

export async function startClusterNodes(count: number, natsUrl: string, tuning: Partial<Tuning>): Promise<IdleNodes> {
  const schema = await createBenchSchema('idle');
  try {
    const cluster = await startMagpieNodes({ count, label: schema.name, database: schema.url, natsUrl, tuning });
    return {
      nodes: cluster.nodes.map((server) => ({ server, appId: cluster.appId, appToken: cluster.appToken })),
      schema,
      async stop() {
        await cluster.stop();
        await schema.drop();
      },
    };
  } catch (error) {
    await schema.drop();
    throw error;
  }
}

export async function startIndependentNodes(count: number, tuning: Partial<Tuning>): Promise<IdleNodes> {
  const servers = await Promise.all(Array.from({ length: count }, () => forkMagpieServer({ tuning })));
  return {
    nodes: servers.map((server) => ({ server, appId: server.appId, appToken: server.appToken })),
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}
