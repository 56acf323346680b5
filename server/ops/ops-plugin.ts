import type { FastifyPluginAsync } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the operations endpoints read; each is asked at the moment of a scrape or a probe. */
export interface OpsSources {
  /** The database is open and the gateway listens. */
  ready(): boolean;
  connections(): number;
  sessions(): number;
  /** Messages stored since the database was made (ids only grow): rate() gives messages/s. */
  messagesStored(): number;
  pushQueueDepth(): number;
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

/**
 * GET /healthz: 200 {"status":"ready"} when the database is open and the gateway listens, else
 * 503. GET /metrics: the Prometheus text format. Neither is signed: bind the HTTP port to a
 * trusted network or put these paths behind the proxy's own rules (docs/rest.md).
 */
export function createOpsPlugin(deps: { sources: OpsSources; metrics: OpsMetrics }): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', async (_request, reply) => {
      const ready = deps.sources.ready();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
    });
    app.get('/metrics', async (_request, reply) => {
      const text = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(text);
    });
  };
}
