/**
 * The Magpie set-ups the cluster bench compares, each opened with a chat pair ready to measure:
 * one node on SQLite, and 1–3 nodes on a PostgreSQL schema of their own (NATS between them). With
 * several nodes the sender logs in on the first node and the receiver on the last, so every
 * message crosses from one node to another.
 */
import { forkChatPair, type ProcessPair } from './chat-processes';
import { startMagpieNodes, type MagpieNodes } from './magpie-cluster';
import type { BenchServer } from './magpie-server';
import { createBenchSchema, type BenchSchema } from './pg-schema';
import { postgresBackends } from './service-processes';

export const NATS_URL = 'nats://127.0.0.1:4222';

export interface ChatSetup {
  readonly label: string;
  readonly nodes: number;
  readonly store: 'sqlite' | 'postgres';
}

export interface OpenSetup {
  readonly setup: ChatSetup;
  readonly pair: ProcessPair;
  readonly servers: readonly BenchServer[];
  readonly nodePids: readonly number[];
  readonly schema?: BenchSchema;
  /** The first token of the cluster's NATS subjects (several nodes only). */
  readonly natsPrefix?: string;
  /** The PostgreSQL backends serving the nodes now (their pools may open more connections on demand). */
  postgresPids(): Promise<number[]>;
  close(): Promise<void>;
}

export function describeSetup(setup: ChatSetup): string {
  if (setup.store === 'sqlite') return '1 node SQLite';
  return setup.nodes === 1 ? '1 node PG' : `${setup.nodes} nodes PG+NATS, A on 1, B on ${setup.nodes}`;
}

export async function openSetup(setup: ChatSetup): Promise<OpenSetup> {
  const schema = setup.store === 'postgres' ? await createBenchSchema(setup.label) : undefined;
  let nodes: MagpieNodes | undefined;
  let pair: ProcessPair | undefined;
  try {
    nodes = await startMagpieNodes({
      count: setup.nodes,
      label: schema?.name ?? setup.label,
      ...(schema ? { database: schema.url } : {}),
      ...(setup.nodes > 1 ? { natsUrl: NATS_URL } : {}),
    });
    const first = nodes.nodes[0]!;
    const last = nodes.nodes[nodes.nodes.length - 1]!;
    pair = await forkChatPair({ kind: 'magpie', port: first.port, receiverPort: last.port, appId: nodes.appId, appToken: nodes.appToken });
    const nodePids = nodes.nodes.map((n) => n.pid);
    const opened = { nodes, pair };
    return {
      setup,
      pair,
      servers: nodes.nodes,
      nodePids,
      ...(schema ? { schema } : {}),
      ...(setup.nodes > 1 && schema ? { natsPrefix: schema.name } : {}),
      postgresPids: () => (schema ? postgresBackends(nodePids) : Promise.resolve([])),
      async close() {
        await opened.pair.close();
        await opened.nodes.stop();
        await schema?.drop();
      },
    };
  } catch (error) {
    await pair?.close();
    await nodes?.stop();
    await schema?.drop();
    throw error;
  }
}
