/**
 * A Magpie server process like `magpie-server start`, with some tuning replaced: the bin has no
 * flag for tuning, and the fuzz scenario needs more than its 10,000 connections. Prints the same
 * `{"listening":...}` line and writes the same demo.json on a first start.
 *
 *   node --import tsx tuned-server.main.ts --host H --port P --data DIR --tuning '{"maxConnections":20000}'
 *
 * With --event-loop-report MS it also prints {"eventLoop":{"p99Ms":..,"maxMs":..}} every MS ms, for
 * the interval just passed: how long the server itself stalled, apart from any client's latency.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createDemoOnce } from '../../../server/cli/demo';
import { createLogger } from '../../../server/logger';
import { createMagpieServer } from '../../../server/server';
import type { Tuning } from '../../../server/tuning';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'http-port': { type: 'string' },
    data: { type: 'string' },
    db: { type: 'string' },
    tuning: { type: 'string' },
    'event-loop-report': { type: 'string' },
  },
});
const dataDir = values.data!;
const server = createMagpieServer({
  dataDir,
  ...(values.db === undefined ? {} : { database: values.db }),
  host: values.host ?? '127.0.0.1',
  port: Number(values.port ?? 0),
  ...(values['http-port'] !== undefined ? { httpPort: Number(values['http-port']) } : {}),
  tuning: JSON.parse(values.tuning ?? '{}') as Partial<Tuning>,
  logger: createLogger({ level: 'warn' }),
});
createDemoOnce(server.db, server.identity, dataDir);
const ports = await server.start();
process.stdout.write(`${JSON.stringify({ listening: { host: values.host, ...ports } })}\n`);
if (values['event-loop-report']) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  setInterval(() => {
    const report = { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
    histogram.reset();
    process.stdout.write(`${JSON.stringify({ eventLoop: report })}\n`);
  }, Number(values['event-loop-report'])).unref();
}
const stop = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
