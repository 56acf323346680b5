/**
 * The Magpie server in a process of its own, so a benchmark's clients do not share its event loop
 * or heap. Started by forkMagpieServer(); talks to its parent over the IPC channel only.
 * argv[2]: JSON of ChildJob. A cluster's nodes share one data folder and one app: the first node
 * creates the app, the others are handed it, and the parent deletes the shared folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createMagpieServer } from '../../server/server';
import type { ServerConfig } from '../../server/config';
import type { ChildJob, ChildReply, ParentRequest } from './magpie-server';

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
  const ownDataDir = job.dataDir === undefined;
  const dataDir = job.dataDir ?? (await mkdtemp(join(tmpdir(), 'magpie-bench-')));
  const config: ServerConfig = {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    httpPort: 0,
    tuning: job.tuning ?? {},
    ...(job.database === undefined ? {} : { database: job.database }),
    ...(job.cluster === undefined ? {} : { cluster: job.cluster }),
  };
  const server = createMagpieServer(config);
  const { port, httpPort = 0 } = await server.start();
  let app = job.app;
  if (app === undefined) {
    const accountSid = (await server.identity.createAccount()).accountSid;
    const appId = (await server.identity.createApp(accountSid, 'bench')).appId;
    app = { appId, appToken: (await server.identity.getApp(appId))!.appToken };
  }
  const { appId, appToken } = app;
  const send = (reply: ChildReply) => process.send?.(reply);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();

  process.on('message', (request: ParentRequest) => {
    if (request.type === 'stats') {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      send({ type: 'stats', rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, cpuMicros: cpu.user + cpu.system, cpuSystemMicros: cpu.system, ...server.stats(), cluster: server.cluster() });
    } else if (request.type === 'loop') {
      send({ type: 'loop', p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 });
      loop.reset();
    } else if (request.type === 'gc') {
      globalThis.gc?.();
      send({ type: 'gc' });
    } else {
      void server
        .stop()
        .then(() => (ownDataDir ? rm(dataDir, { recursive: true, force: true, maxRetries: 5 }) : undefined))
        .finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  // the file-service bench needs no TCP session: a token for its one user is enough
  const mediaToken = (await server.files.tokens.issue(appId, 'bench-media')).token;
  send({ type: 'ready', port, appId, appToken, httpPort, mediaToken });
}

void main();
