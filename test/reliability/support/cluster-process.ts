import { spawn, type ChildProcess } from 'node:child_process';
import { childControls } from './child-controls';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoCredentials } from '../../../server/cli/demo';
import { PgDatabase } from '../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../server/storage/pg/pg-url';
import { waitUntil } from './client-pool';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_BIN = join(REPO_ROOT, 'bin/magpie-server.js');
const NATS_SERVER = '/usr/sbin/nats-server';
const START_TIMEOUT_MS = 30_000;

/** The machine's PostgreSQL and NATS (docs/server.md); a run takes a schema and a subject prefix of its own. */
export const TEST_DB = process.env.MAGPIE_TEST_DB || 'postgres://postgres@127.0.0.1:5432/test';
export const MACHINE_NATS = process.env.MAGPIE_TEST_NATS ?? 'nats://127.0.0.1:4222';

export interface Health {
  readonly status: string;
  readonly node?: string;
  readonly cluster?: string;
  readonly peers?: number;
  readonly clusterSessions?: number;
}

export interface NodeProcess {
  readonly id: string;
  readonly pid: number;
  readonly port: number;
  readonly httpPort: number;
  readonly address: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isAlive(): boolean;
  kill(): Promise<void>;
  stop(): Promise<void>;
  logTail(): string;
  /** GET /healthz, parsed. */
  health(): Promise<Health>;
}

export interface ClusterOfProcesses {
  readonly nodes: NodeProcess[];
  readonly credentials: DemoCredentials;
  readonly dataDir: string;
  /** The `--db` URL (the cluster's schema) and `--cluster-name` every node is started with. */
  readonly database: string;
  readonly clusterName: string;
  /** Starts one more node (or a node again, under its id) on the cluster's database, NATS and folder. */
  startNode(id: string, port?: number): Promise<NodeProcess>;
  /** Resolves once every live node hears every other live node (and sees `sessions` sessions, if given). */
  linked(sessions?: number): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `magpie-server start --cluster …` as its own process; resolves once it listens. */
export async function startNodeProcess(options: {
  id: string;
  dataDir: string;
  database: string;
  natsUrl: string;
  clusterName: string;
  port?: number;
  demo?: boolean;
}): Promise<NodeProcess> {
  const args = [
    SERVER_BIN, 'start', '--host', '127.0.0.1', '--port', String(options.port ?? 0), '--http-port', '0',
    '--data', options.dataDir, '--log-level', 'warn', '--db', options.database, '--cluster', '--nats', options.natsUrl,
    '--node-id', options.id, '--cluster-name', options.clusterName, ...(options.demo ? ['--demo'] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const logLines: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    logLines.push(...text.split('\n').filter((line) => line.length > 0));
    if (logLines.length > 60) logLines.splice(0, logLines.length - 60);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let alive = true;
  void exited.then(() => (alive = false));
  const logTail = () => logLines.join('\n');
  const listening = await new Promise<{ port: number; httpPort: number }>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`node ${options.id} did not listen within ${START_TIMEOUT_MS} ms:\n${logTail()}`)), START_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{"listening"')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { listening: { port: number; httpPort: number } }).listening);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`node ${options.id} exited (code ${code}, signal ${signal}) before listening:\n${logTail()}`));
    });
  });
  return {
    id: options.id,
    pid: child.pid!,
    port: listening.port,
    httpPort: listening.httpPort,
    address: `127.0.0.1:${listening.port}`,
    exited,
    isAlive: () => alive,
    ...childControls(child, exited, () => alive, 8_000),
    logTail,
    async health() {
      const response = await fetch(`http://127.0.0.1:${listening.httpPort}/healthz`);
      return (await response.json()) as Health;
    },
  };
}

/**
 * Three (or n) node processes on one fresh PostgreSQL schema, one NATS subject prefix and one data
 * folder. The first node makes the demo app (--demo) the clients log in to.
 */
export async function startClusterOfProcesses(count: number, natsUrl = MACHINE_NATS): Promise<ClusterOfProcesses> {
  const dataDir = await mkdtemp(join(tmpdir(), 'magpie-cluster-nodes-'));
  const schema = `magpie_clp_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_DB);
  url.searchParams.set('schema', schema);
  const database = url.toString();
  const clusterName = `clp-${randomBytes(4).toString('hex')}`;
  const nodes: NodeProcess[] = [];
  const start = async (id: string, port?: number, demo = false) =>
    startNodeProcess({ id, dataDir, database, natsUrl, clusterName, ...(port === undefined ? {} : { port }), demo });
  nodes.push(await start('node1', undefined, true));
  for (let i = 2; i <= count; i++) nodes.push(await start(`node${i}`));
  const credentials = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as DemoCredentials;
  const cluster: ClusterOfProcesses = {
    nodes,
    credentials,
    dataDir,
    database,
    clusterName,
    async startNode(id, port) {
      const node = await start(id, port);
      const at = nodes.findIndex((other) => other.id === id);
      if (at >= 0) nodes[at] = node;
      else nodes.push(node);
      return node;
    },
    async linked(sessions) {
      let ready = false;
      const live = () => nodes.filter((node) => node.isAlive());
      const check = async () => {
        const healths = await Promise.all(live().map((node) => node.health().catch(() => undefined)));
        ready = healths.every(
          (health) => health?.cluster === 'up' && health.peers === live().length - 1 && (sessions === undefined || health.clusterSessions === sessions),
        );
      };
      await waitUntil(
        () => {
          void check();
          return ready;
        },
        30_000,
        () => `every node to hear the others:\n${live().map((node) => `${node.id}: ${node.logTail()}`).join('\n')}`,
      );
    },
    async close() {
      await Promise.all(nodes.map((node) => node.stop()));
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
      const db = new PgDatabase({ conninfo: parsePgUrl(TEST_DB).conninfo });
      try {
        db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        db.close();
      }
    },
  };
  return cluster;
}

/** A NATS server of the test's own, on a port of its own (never the machine's on 4222). */
export interface OwnNats {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Picks a free port and starts nats-server on it. Another process may take the port between the
 * pick and the bind: nats-server then exits, and the first start tries another port (a restart
 * keeps its port, which the nodes reconnect to, and retries it a moment later).
 */
export async function startOwnNats(): Promise<OwnNats> {
  let port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let everStarted = false;

  /** true once this nats-server listens; false if it exited first (the port was taken). */
  async function launch(): Promise<boolean> {
    const started = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    child = started;
    let gone = false;
    exited = new Promise((resolve) =>
      started.once('exit', () => {
        gone = true;
        resolve();
      }),
    );
    let up = false;
    await waitUntil(
      () => {
        void canConnect(port).then((ok) => (up = ok));
        return gone || up;
      },
      15_000,
      () => `nats-server to listen on ${port}`,
    );
    // a connect to a port another process took does not count: ours must still run
    return !gone && started.exitCode === null;
  }

  const own: OwnNats = {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    async start() {
      for (let attempt = 1; ; attempt++) {
        if (await launch()) break;
        if (attempt >= 5) throw new Error(`nats-server could not bind a port (last tried ${port})`);
        if (everStarted) await new Promise((resolve) => setTimeout(resolve, 500));
        else port = await freePort();
      }
      everStarted = true;
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
      child = undefined;
    },
  };
  await own.start();
  return own;
}
