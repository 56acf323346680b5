/**
 * A process holding many idle logged-in Magpie sessions for the connections bench. argv[2]: JSON
 * IdleClientsJob. Reports progress over IPC; on 'heartbeat' every session pings at the interval
 * (phases spread evenly; a new interval replaces the last one, and pongs count from zero again), on 'stop' it closes everything and exits.
 */
import { WireClient } from './magpie-wire-client';
import type { IdleClientsJob, IdleClientsReply, IdleClientsRequest } from './idle-clients';

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as IdleClientsJob;
  const send = (reply: IdleClientsReply) => process.send?.(reply);
  const clients: WireClient[] = [];
  let failed = 0;
  let firstError = '';
  let pongs = 0;
  const timers: NodeJS.Timeout[] = [];

  process.on('message', (request: IdleClientsRequest) => {
    if (request.type === 'heartbeat') {
      for (const timer of timers.splice(0)) clearTimeout(timer);
      pongs = 0;
      const spacing = request.intervalMs / Math.max(1, clients.length);
      clients.forEach((client, i) => {
        const start = setTimeout(() => {
          const beat = () => client.ping(() => pongs++);
          beat();
          timers.push(setInterval(beat, request.intervalMs));
        }, i * spacing);
        timers.push(start);
      });
    } else if (request.type === 'count') {
      send({ type: 'count', open: clients.filter((c) => !c.socket.destroyed).length, pongs });
    } else {
      for (const timer of timers) clearTimeout(timer);
      for (const client of clients) client.socket.destroy();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));

  let next = 0;
  let lastReport = 0;
  const startedAt = Date.now();
  const worker = async () => {
    while (next < job.count) {
      const index = next++;
      const user = `idle${job.firstUser + index}`;
      if (job.loginsPerSecond !== undefined) {
        const due = startedAt + (index / job.loginsPerSecond) * 1000;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      try {
        clients.push(await WireClient.login(job.port, job.appId, job.appToken, user, { localAddress: job.localAddress }));
      } catch (error) {
        failed++;
        firstError ||= (error as Error).message;
      }
      if (clients.length + failed - lastReport >= 1000) {
        lastReport = clients.length + failed;
        send({ type: 'progress', ok: clients.length, failed });
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  send({ type: 'ready', ok: clients.length, failed, firstError });
}

void main();
