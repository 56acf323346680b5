import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { ClusterStatus } from '../../server/cluster/cluster-node';
import type { Tuning } from '../../server/tuning';

/** Messages between forkMagpieServer() and its child (magpie-server-child.ts). */
/** What a server child runs: argv[2] of magpie-server-child.ts. */
export interface ChildJob {
  readonly tuning?: Partial<Tuning>;
  /** `--db`: a PostgreSQL URL (cluster contract, COMMON.md); absent: SQLite in the data folder. */
  readonly database?: string;
  /** `--cluster --nats --node-id`: this node's place in a cluster. */
  readonly cluster?: ClusterJob;
  /** A data folder shared by a cluster's nodes (the parent deletes it); absent: a fresh one of its own. */
  readonly dataDir?: string;
  /** The app to hand out; absent: the child creates one (the first node of a cluster). */
  readonly app?: { readonly appId: string; readonly appToken: string };
}

export interface ClusterJob {
  readonly natsUrl: string;
  readonly nodeId: string;
  /** The first token of the cluster's NATS subjects, so runs and tests sharing one NATS cannot collide. */
  readonly subjectPrefix?: string;
}

export type ParentRequest = { type: 'stats' } | { type: 'gc' } | { type: 'loop' } | { type: 'stop' };
export type ChildReply =
  | { type: 'ready'; port: number; appId: string; appToken: string; httpPort: number; mediaToken: string }
  | { type: 'stats'; rssBytes: number; heapUsedBytes: number; cpuMicros: number; cpuSystemMicros: number; connections: number; sessions: number; cluster: ClusterStatus | undefined }
  | { type: 'gc' }
  | { type: 'loop'; p99Ms: number; maxMs: number };

export type ServerStats = Omit<Extract<ChildReply, { type: 'stats' }>, 'type'>;

export interface BenchServer {
  readonly port: number;
  /** The HTTP file service, and a media token of the user "bench-media" for it. */
  readonly httpPort: number;
  readonly mediaToken: string;
  readonly appId: string;
  readonly appToken: string;
  readonly pid: number;
  stats(): Promise<ServerStats>;
  /** A full garbage collection in the server, before a memory figure. */
  gc(): Promise<void>;
  /** The server's event-loop delay since the last call (1 ms resolution); starts a new window. */
  loopDelay(): Promise<{ p99Ms: number; maxMs: number }>;
  stop(): Promise<void>;
}

/**
 * The limits a benchmark lifts: the per-connection request rate (50/s by default, an abuse guard
 * that would otherwise be what the 1:1 bench measures), each sender's stored-content budget (the
 * 1:1 bench's sender stores more in seconds than a person in a day), the connection cap and the
 * session caps (per address and per app: the connections bench holds 100k sessions of one app
 * from a few addresses). Everything else, persistence included, is the server's default.
 */
export const BENCH_TUNING: Partial<Tuning> = {
  requestsPerSecond: 1_000_000,
  requestBurst: 1_000_000,
  contentBytesPerSecond: 1024 * 1024 * 1024,
  contentBurstBytes: 1024 * 1024 * 1024,
  maxConnections: 1_000_000,
  maxSessionsPerAddress: 1_000_000,
  maxSessionsPerApp: 1_000_000,
  scryptCost: 1024,
};

export interface ForkOptions extends Omit<ChildJob, 'tuning'> {
  readonly tuning?: Partial<Tuning>;
  /** Extra node flags for the server process (e.g. a larger heap). */
  readonly nodeFlags?: readonly string[];
}

/**
 * Extra node flags for every bench server from MAGPIE_BENCH_SERVER_FLAGS (space-separated), e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the server during a bench.
 */
function envServerFlags(): string[] {
  return (process.env.MAGPIE_BENCH_SERVER_FLAGS ?? '').split(' ').filter((flag) => flag.length > 0);
}

/** Starts a Magpie server in a child process on a free loopback port. */
export function forkMagpieServer(options: ForkOptions = {}): Promise<BenchServer> {
  const { nodeFlags, ...job } = options;
  const childJob: ChildJob = { ...job, tuning: { ...BENCH_TUNING, ...options.tuning } };
  const child = fork(join(import.meta.dirname, 'magpie-server-child.ts'), [JSON.stringify(childJob)], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(nodeFlags ?? []), ...envServerFlags()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T extends ChildReply['type']>(type: T) =>
    new Promise<Extract<ChildReply, { type: T }>>((resolve, reject) => {
      const onMessage = (reply: ChildReply) => {
        if (reply.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply as Extract<ChildReply, { type: T }>);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`the Magpie server process exited (code ${String(code)})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return next('ready').then((ready) => ({
    port: ready.port,
    httpPort: ready.httpPort,
    mediaToken: ready.mediaToken,
    appId: ready.appId,
    appToken: ready.appToken,
    pid: child.pid!,
    async stats() {
      const reply = next('stats');
      child.send({ type: 'stats' } satisfies ParentRequest);
      const { type: _type, ...stats } = await reply;
      return stats;
    },
    async gc() {
      const reply = next('gc');
      child.send({ type: 'gc' } satisfies ParentRequest);
      await reply;
    },
    async loopDelay() {
      const reply = next('loop');
      child.send({ type: 'loop' } satisfies ParentRequest);
      const { p99Ms, maxMs } = await reply;
      return { p99Ms, maxMs };
    },
    async stop() {
      if (child.exitCode === null && child.connected) child.send({ type: 'stop' } satisfies ParentRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  }));
}
