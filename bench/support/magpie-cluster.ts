/**
 * N Magpie nodes, each in a process of its own (forkMagpieServer), on one store: a PostgreSQL
 * schema (with NATS routing between them when there are several), or SQLite for a lone node.
 * The nodes share one data folder and one app, as a cluster's nodes do (COMMON.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tuning } from '../../server/tuning';
import { forkMagpieServer, type BenchServer } from './magpie-server';
import { tableCount } from './pg-schema';

export interface NodesOptions {
  readonly count: number;
  /** A PostgreSQL URL with ?schema=…; absent: SQLite (one node only). */
  readonly database?: string;
  /** NATS for routing between the nodes; required with more than one node. */
  readonly natsUrl?: string;
  /** Node ids are `${label}-${i}`; the cluster's NATS subjects start with `${label}.`. */
  readonly label: string;
  readonly tuning?: Partial<Tuning>;
  readonly nodeFlags?: readonly string[];
}

export interface MagpieNodes {
  readonly nodes: readonly BenchServer[];
  readonly appId: string;
  readonly appToken: string;
  stop(): Promise<void>;
}

export async function startMagpieNodes(options: NodesOptions): Promise<MagpieNodes> {
  if (options.count > 1 && (options.database === undefined || options.natsUrl === undefined)) {
    throw new Error('several nodes need a PostgreSQL database and NATS');
  }
  const dataDir = mkdtempSync(join(tmpdir(), `magpie-bench-${options.label}-`));
  const nodes: BenchServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const common = {
      dataDir,
      ...(options.tuning ? { tuning: options.tuning } : {}),
      ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
      ...(options.database ? { database: options.database } : {}),
    };
    const cluster = (i: number) => (options.count > 1 ? { cluster: { natsUrl: options.natsUrl!, nodeId: `${options.label}-${i}`, subjectPrefix: options.label } } : {});
    // the first node migrates the schema and creates the app; the others join it
    const first = await forkMagpieServer({ ...common, ...cluster(0) });
    nodes.push(first);
    const app = { appId: first.appId, appToken: first.appToken };
    const rest = await Promise.all(Array.from({ length: options.count - 1 }, (_, i) => forkMagpieServer({ ...common, ...cluster(i + 1), app })));
    nodes.push(...rest);
    if (options.database) await checkUsesSchema(options.database);
    return { nodes, ...app, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A server that ignored --db would run on SQLite and the figures would lie: refuse to measure it. */
async function checkUsesSchema(database: string): Promise<void> {
  const schema = new URL(database).searchParams.get('schema') ?? 'public';
  if ((await tableCount(schema)) === 0) throw new Error(`the nodes made no table in PostgreSQL schema ${schema}: they did not use --db`);
}
