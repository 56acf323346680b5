/**
 * Connections: how many idle logged-in sessions one Magpie server process holds, the memory each
 * costs, and the CPU the server spends on their heartbeats. The server runs in a child process;
 * the sessions come from several client processes, each from its own 127.0.0.x source address
 * (one address has only ~28k ephemeral ports towards one server port). Heartbeat CPU is measured
 * at the ping rate 100,000 sessions make, at the desktop client's steady-state interval (270 s on
 * a stable network) and at its shortest (60 s, where every connection starts): when fewer
 * sessions fit, each pings proportionally more often, so the server sees the same rate.
 *
 *   npm run bench -- connections [--smoke]     (--smoke: 500 sessions, 1 s of heartbeats)
 */
import { readFileSync } from 'node:fs';
import { openFileLimit, raiseOpenFileLimit } from './support/fd-limit';
import { forkIdleClients, type IdleClients } from './support/idle-clients';
import { forkMagpieServer, type BenchServer } from './support/magpie-server';
import { sleep } from './support/stats';
import { fmt, isSmoke, printTable } from './support/table';
import { desktopTuning } from '../main/engine/tuning';

const smoke = isSmoke();
const WANTED = smoke ? 500 : 100_000;
const PER_PROCESS = 25_000;
/** The desktop client's heartbeat: where it settles on a stable network, and where it starts. */
const STEADY_HEARTBEAT_MS = desktopTuning.maxHeartbeatMs;
const SHORTEST_HEARTBEAT_MS = desktopTuning.minHeartbeatMs;
/** Smoke runs 500 sessions for a second: the intervals shrink with them, only the code is exercised. */
const INTERVAL_SCALE = smoke ? 0.01 : 1;
const WINDOW_MS = smoke ? 1_000 : 60_000;
const IDLE_WINDOW_MS = smoke ? 500 : 10_000;

function ephemeralPorts(): number {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  return high! - low! + 1;
}

async function cpuOver(server: BenchServer, ms: number): Promise<number> {
  const before = await server.stats();
  await sleep(ms);
  const after = await server.stats();
  return (after.cpuMicros - before.cpuMicros) / 1000 / ms;
}

async function main(): Promise<void> {
  const notes: string[] = [];
  const limit = raiseOpenFileLimit(WANTED + 4_096);
  let target = WANTED;
  if (limit < WANTED + 1_024) {
    target = Math.max(100, limit - 1_024);
    notes.push(
      `open-file limit ${fmt(limit)} per process and prlimit could not raise it (raising the hard limit needs CAP_SYS_RESOURCE): ` +
        `the server process can hold at most that many sockets, so this run aimed at ${fmt(target)} sessions instead of ${fmt(WANTED)}; ` +
        'the rows marked "estimate" scale the measured figures to the full count',
    );
  }
  const perProcess = Math.min(PER_PROCESS, ephemeralPorts() - 1_000);
  const processes = Math.ceil(target / perProcess);

  const server = await forkMagpieServer({ nodeFlags: ['--max-old-space-size=16384'] });
  const groups: IdleClients[] = [];
  try {
    await server.gc();
    const empty = await server.stats();
    const progress = new Array<number>(processes).fill(0);
    const started = Date.now();
    for (let k = 0; k < processes; k++) {
      const count = Math.min(perProcess, target - k * perProcess);
      const group = forkIdleClients({
        port: server.port,
        appId: server.appId,
        appToken: server.appToken,
        count,
        firstUser: k * perProcess,
        localAddress: `127.0.0.${2 + k}`,
        concurrency: 64,
      });
      group.onProgress = (ok) => {
        progress[k] = ok;
        const total = progress.reduce((a, b) => a + b, 0);
        if (total % 10_000 < 1_000) process.stderr.write(`  ${fmt(total)} sessions logged in after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      };
      groups.push(group);
    }
    const results = await Promise.all(groups.map((g) => g.ready));
    const loginSeconds = (Date.now() - started) / 1000;
    const ok = results.reduce((a, r) => a + r.ok, 0);
    const failed = results.reduce((a, r) => a + r.failed, 0);
    if (failed > 0) notes.push(`${fmt(failed)} logins failed; first error: ${results.find((r) => r.firstError)?.firstError ?? ''}`);

    await server.gc();
    const full = await server.stats();
    const perSessionKiB = (full.rssBytes - empty.rssBytes) / 1024 / Math.max(1, full.sessions);
    const heapPerSessionKiB = (full.heapUsedBytes - empty.heapUsedBytes) / 1024 / Math.max(1, full.sessions);

    const idleCore = await cpuOver(server, IDLE_WINDOW_MS);
    /** Server CPU (share of a core) while the sessions ping at the rate WANTED sessions would at this interval. */
    const heartbeatRun = async (intervalMs: number) => {
      const scaledMs = (intervalMs * INTERVAL_SCALE * ok) / WANTED;
      for (const group of groups) group.heartbeat(scaledMs);
      // the first pings of every phase start within one interval: measure once all are beating
      await sleep(Math.min(scaledMs, smoke ? 500 : 60_000));
      const core = await cpuOver(server, WINDOW_MS);
      const counts = await Promise.all(groups.map((g) => g.count()));
      return {
        core,
        intervalMs,
        pingsPerSecond: WANTED / ((intervalMs * INTERVAL_SCALE) / 1000),
        pongs: counts.reduce((a, c) => a + c.pongs, 0),
        open: counts.reduce((a, c) => a + c.open, 0),
      };
    };
    const steady = await heartbeatRun(STEADY_HEARTBEAT_MS);
    const shortest = await heartbeatRun(SHORTEST_HEARTBEAT_MS);
    const after = await server.stats();
    const heartbeatRow = (run: typeof steady, judged: boolean) => ({
      measure: `server CPU, heartbeats of ${fmt(WANTED)} sessions every ${fmt(run.intervalMs / 1000)} s (${fmt(run.pingsPerSecond)} pings/s)${judged ? '' : ', for reference'}`,
      magpie: `${fmt(run.core * 100, 2)} % of a core`,
      peer: 'no peer',
      ...(judged ? { target: '< 10 % of a core', met: run.core < 0.1 } : {}),
    });

    printTable(`Connections: idle logged-in sessions in one server process${smoke ? ' [smoke]' : ''}`, [
      { measure: 'sessions logged in', magpie: fmt(ok), peer: 'no peer', target: `${fmt(WANTED)}`, met: ok >= WANTED },
      { measure: 'sessions still open after the heartbeat windows', magpie: fmt(Math.min(shortest.open, after.sessions)), peer: 'no peer' },
      { measure: 'logins per second', magpie: fmt(ok / loginSeconds), peer: 'no peer' },
      { measure: 'server RSS, all logged in', magpie: `${fmt(full.rssBytes / 2 ** 20)} MiB`, peer: 'no peer' },
      { measure: 'RSS per session', magpie: `${fmt(perSessionKiB, 1)} KiB`, peer: 'no peer' },
      { measure: 'JS heap per session', magpie: `${fmt(heapPerSessionKiB, 1)} KiB`, peer: 'no peer' },
      { measure: 'server CPU idle (no pings)', magpie: `${fmt(idleCore * 100, 2)} % of a core`, peer: 'no peer' },
      heartbeatRow(steady, true),
      heartbeatRow(shortest, false),
      ...(ok < WANTED && ok > 0
        ? [{ measure: `estimate: server RSS at ${fmt(WANTED)} sessions`, magpie: `${fmt((empty.rssBytes + perSessionKiB * 1024 * WANTED) / 2 ** 30, 2)} GiB`, peer: 'no peer' }]
        : []),
      { measure: 'pongs received during the last heartbeat run', magpie: fmt(shortest.pongs), peer: 'no peer' },
    ], [
      ...notes,
      `${processes} client process(es), source addresses 127.0.0.2–127.0.0.${1 + processes}; open-file limit ${fmt(openFileLimit())}`,
      `heartbeat rows: one PING (with request id) per session, answered by PONG, phases spread evenly; ${fmt(ok)} sessions each pinging every ${fmt((STEADY_HEARTBEAT_MS * ok) / WANTED / 1000, 1)} s and then every ${fmt((SHORTEST_HEARTBEAT_MS * ok) / WANTED / 1000, 1)} s make the ping rates of ${fmt(WANTED)} sessions at ${fmt(STEADY_HEARTBEAT_MS / 1000)} s (the client's interval on a stable network) and ${fmt(SHORTEST_HEARTBEAT_MS / 1000)} s (where it starts); CPU measured over ${fmt(WINDOW_MS / 1000)} s each${smoke ? '; smoke: the intervals are 1/100 of these' : ''}`,
    ]);
  } finally {
    await Promise.all(groups.map((g) => g.stop()));
    await server.stop();
  }
}

await main();
