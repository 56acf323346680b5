/**
 * The Magpie server in a process of its own, so a benchmark's clients do not share its event loop
 * or heap. Started by forkMagpieServer(); talks to its parent over the IPC channel only.
 * argv[2]: JSON of { tuning } (Partial<Tuning>).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createMagpieServer } from '../../server/server';
import type { Tuning } from '../../server/tuning';
import type { ChildReply, ParentRequest } from './magpie-server';

async function main(): Promise<void> {
  const { tuning } = JSON.parse(process.argv[2] ?? '{}') as { tuning?: Partial<Tuning> };
  const dataDir = await mkdtemp(join(tmpdir(), 'magpie-bench-'));
  const server = createMagpieServer({ dataDir, host: '127.0.0.1', port: 0, httpPort: 0, tuning: tuning ?? {} });
  const { port, httpPort = 0 } = await server.start();
  const accountSid = server.identity.createAccount().accountSid;
  const appId = server.identity.createApp(accountSid, 'bench').appId;
  const appToken = server.identity.getApp(appId)!.appToken;
  const send = (reply: ChildReply) => process.send?.(reply);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();

  process.on('message', (request: ParentRequest) => {
    if (request.type === 'stats') {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      send({ type: 'stats', rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, cpuMicros: cpu.user + cpu.system, cpuSystemMicros: cpu.system, ...server.stats() });
    } else if (request.type === 'loop') {
      send({ type: 'loop', p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 });
      loop.reset();
    } else if (request.type === 'gc') {
      globalThis.gc?.();
      send({ type: 'gc' });
    } else {
      void server
        .stop()
        .then(() => rm(dataDir, { recursive: true, force: true, maxRetries: 5 }))
        .finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  // the file-service bench needs no TCP session: a token for its one user is enough
  const mediaToken = server.files.tokens.issue(appId, 'bench-media').token;
  send({ type: 'ready', port, appId, appToken, httpPort, mediaToken });
}

void main();
