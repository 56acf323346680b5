import type { FastifyPluginAsync } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A cluster node's part of /healthz and /metrics. */
export interface ClusterOpsStatus {
  readonly nodeId: string;
  readonly link: string;
  readonly peers: number;
  readonly clusterSessions: number;
  readonly routedOut: number;
  readonly routedIn: number;
  readonly droppedPublishes: number;
}

/** What the operations endpoints read; each is asked at the moment of a scrape or a probe. */
export interface OpsSources {
  /** The database is open and the gateway listens. */
  ready(): boolean;
  connections(): number;
  sessions(): number;
  /** Messages stored since the database was made (ids only grow): rate() gives messages/s. */
  messagesStored(): number;
  pushQueueDepth(): number;
  /** The node id and its link to NATS; undefined for a server that is no cluster node. */
  cluster?(): ClusterOpsStatus | undefined;
}

export interface OpsMetrics {
  readonly registry: Registry;
  /** Called with each write-batch commit's duration. */
  observeCommit(seconds: number): void;
  /** Called with each REST request refused by its signature. */
  countRefusal(): void;
}

/** The Prometheus registry of one server (never the global one: two servers in a test stay apart). */
export function createOpsMetrics(sources: OpsSources): OpsMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'magpie_', eventLoopMonitoringPrecision: 10 });
  new Gauge({ name: 'magpie_connections', help: 'open client connections', registers: [registry], collect() { this.set(sources.connections()); } });
  new Gauge({ name: 'magpie_sessions', help: 'logged-in sessions', registers: [registry], collect() { this.set(sources.sessions()); } });
  new Gauge({
    name: 'magpie_messages_stored_total',
    help: 'messages stored since the database was made; rate() of it is messages stored per second',
    registers: [registry],
    collect() {
      this.set(sources.messagesStored());
    },
  });
  new Gauge({ name: 'magpie_push_queue_depth', help: 'recipients with an offline push pending', registers: [registry], collect() { this.set(sources.pushQueueDepth()); } });
  if (sources.cluster) addClusterMetrics(registry, () => sources.cluster?.());
  const commit = new Histogram({
    name: 'magpie_sqlite_commit_seconds',
    help: 'time of each group commit of SENDs (one SQLite transaction)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const refusals = new Counter({ name: 'magpie_rest_refusals_total', help: 'REST requests refused by their signature', registers: [registry] });
  return {
    registry,
    observeCommit: (seconds) => commit.observe(seconds),
    countRefusal: () => refusals.inc(),
  };
}

function addClusterMetrics(registry: Registry, status: () => ClusterOpsStatus | undefined): void {
  new Gauge({
    name: 'magpie_cluster_link_up',
    help: 'whether this cluster node is connected to NATS (1) or not (0)',
    labelNames: ['node'],
    registers: [registry],
    collect() {
      this.set({ node: status()?.nodeId ?? '' }, status()?.link === 'up' ? 1 : 0);
    },
  });
  new Gauge({ name: 'magpie_cluster_peers', help: 'other cluster nodes heard from', registers: [registry], collect() { this.set(status()?.peers ?? 0); } });
  new Gauge({ name: 'magpie_cluster_routed_out_total', help: 'pushes routed to other nodes', registers: [registry], collect() { this.set(status()?.routedOut ?? 0); } });
  new Gauge({ name: 'magpie_cluster_routed_in_total', help: 'pushes routed here by other nodes', registers: [registry], collect() { this.set(status()?.routedIn ?? 0); } });
  new Gauge({
    name: 'magpie_cluster_dropped_publishes_total',
    help: 'routing messages dropped while NATS was unreachable (their messages are stored; clients pull them)',
    registers: [registry],
    collect() {
      this.set(status()?.droppedPublishes ?? 0);
    },
  });
}

/**
 * GET /healthz: 200 {"status":"ready"} when the database is open and the gateway listens, else
 * 503; a cluster node adds its id, its link to NATS (up, down, connecting), the peers it hears
 * and the sessions of the whole cluster as it sees them. GET /metrics: the Prometheus text format. Neither is signed: bind the HTTP port to a
 * trusted network or put these paths behind the proxy's own rules (docs/rest.md).
 */
export function createOpsPlugin(deps: { sources: OpsSources; metrics: OpsMetrics }): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', async (_request, reply) => {
      const ready = deps.sources.ready();
      const cluster = deps.sources.cluster?.();
      // a node cut off from NATS still serves its own sessions: ready, with the link's state beside
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', ...(cluster ? { node: cluster.nodeId, cluster: cluster.link, peers: cluster.peers, clusterSessions: cluster.clusterSessions } : {}) });
    });
    app.get('/metrics', async (_request, reply) => {
      const text = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(text);
    });
  };
}
