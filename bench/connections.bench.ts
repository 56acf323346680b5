/**
 * Connections: how many idle logged-in sessions one Magpie server process holds, the memory each
 * costs, and the CPU the server spends on their heartbeats. The server runs in a child process;
 * the sessions come from several client processes, each from its own 127.0.0.x source address
 * (one address has only ~28k ephemeral ports towards one server port). Each session pings once
 * per HEARTBEAT_MS, the desktop client's shortest heartbeat interval (60 s), phases spread evenly.
 *
 *   npm run bench -- connections [--smoke]     (--smoke: 500 sessions, 1 s of heartbeats)
 */
import { readFileSync } from 'node:fs';
import { openFileLimit, raiseOpenFileLimit } from './support/fd-limit';
import { forkIdleClients, type IdleClients } from './support/idle-clients';
import { forkMagpieServer, type BenchServer } from './support/magpie-server';
import { sleep } from './support/stats';
import { fmt, isSmoke, printTable } from './support/table';

const smoke = isSmoke();
const WANTED = smoke ? 500 : 100_000;
const PER_PROCESS = 25_000;
const HEARTBEAT_MS = smoke ? 1_000 : 60_000;
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
    for (const group of groups) group.heartbeat(HEARTBEAT_MS);
    const beatingCore = await cpuOver(server, WINDOW_MS);
    const counts = await Promise.all(groups.map((g) => g.count()));
    const stillOpen = counts.reduce((a, c) => a + c.open, 0);
    const pongs = counts.reduce((a, c) => a + c.pongs, 0);
    const after = await server.stats();
    // idle cost plus the per-session heartbeat cost, scaled linearly
    const heartbeatAt = (sessions: number) => idleCore + ((beatingCore - idleCore) * sessions) / Math.max(1, ok);

    printTable(`Connections: idle logged-in sessions in one server process${smoke ? ' [smoke]' : ''}`, [
      { measure: 'sessions logged in', magpie: fmt(ok), peer: 'no peer', target: `${fmt(WANTED)}`, met: ok >= WANTED },
      { measure: 'sessions still open after the heartbeat minute', magpie: fmt(Math.min(stillOpen, after.sessions)), peer: 'no peer' },
      { measure: 'logins per second', magpie: fmt(ok / loginSeconds), peer: 'no peer' },
      { measure: 'server RSS, all logged in', magpie: `${fmt(full.rssBytes / 2 ** 20)} MiB`, peer: 'no peer' },
      { measure: 'RSS per session', magpie: `${fmt(perSessionKiB, 1)} KiB`, peer: 'no peer' },
      { measure: 'JS heap per session', magpie: `${fmt(heapPerSessionKiB, 1)} KiB`, peer: 'no peer' },
      { measure: 'server CPU idle (no pings)', magpie: `${fmt(idleCore * 100, 2)} % of a core`, peer: 'no peer' },
      {
        measure: `server CPU with heartbeats (${fmt(ok / (HEARTBEAT_MS / 1000))} pings/s)`,
        magpie: `${fmt(beatingCore * 100, 2)} % of a core`,
        peer: 'no peer',
        ...(ok >= WANTED ? { target: '< 10 % of a core', met: beatingCore < 0.1 } : {}),
      },
      ...(ok < WANTED && ok > 0
        ? [
            { measure: `estimate: server RSS at ${fmt(WANTED)} sessions`, magpie: `${fmt((empty.rssBytes + (perSessionKiB * 1024 * WANTED)) / 2 ** 30, 2)} GiB`, peer: 'no peer' },
            {
              measure: `estimate: heartbeat CPU at ${fmt(WANTED)} sessions (${fmt(WANTED / (HEARTBEAT_MS / 1000))} pings/s)`,
              magpie: `${fmt(heartbeatAt(WANTED) * 100, 1)} % of a core`,
              peer: 'no peer',
              target: '< 10 % of a core',
              met: heartbeatAt(WANTED) < 0.1,
            },
          ]
        : []),
      { measure: `pongs received in ${fmt(WINDOW_MS / 1000)} s`, magpie: fmt(pongs), peer: 'no peer' },
    ], [
      ...notes,
      `${processes} client process(es), source addresses 127.0.0.2–127.0.0.${1 + processes}; open-file limit ${fmt(openFileLimit())}`,
      `one PING (with request id) per session every ${fmt(HEARTBEAT_MS / 1000)} s, answered by PONG; CPU measured over ${fmt(WINDOW_MS / 1000)} s`,
    ]);
  } finally {
    await Promise.all(groups.map((g) => g.stop()));
    await server.stop();
  }
}

await main();
