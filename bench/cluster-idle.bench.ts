/**
 * Idle sessions across nodes: 100,000 logged-in, idle sessions spread over several node processes
 * on this machine (each under the per-process open-file limit), from one client process per node,
 * each bound to its own 127.0.0.x source address. Per node: RSS per session (/proc/PID/status,
 * after a full GC, minus the node's RSS before the logins), CPU while nobody pings, and CPU per
 * heartbeat while every session pings at a short interval (/proc/PID/stat over a measured window).
 * Nodes are a cluster on PostgreSQL + NATS where this tree has cluster mode, otherwise independent
 * SQLite servers (the table says which). Logins are paced (app-token logins, the cheapest).
 *
 *   npm run bench -- cluster-idle [--smoke] [--sessions=N]     (--smoke: 2 nodes, 200 sessions, 1 s windows)
 */
import { openFileLimit } from './support/fd-limit';
import { forkIdleClients, type IdleClients } from './support/idle-clients';
import { startClusterNodes, startIndependentNodes, type IdleNodes } from './support/idle-nodes';
import { NATS_URL } from './support/chat-setups';
import { clusterSupport, NO_CLUSTER } from './support/cluster-support';
import { natsProblem } from './support/nats-counter';
import { postgresProblem } from './support/pg-schema';
import { cpuMicros, describeLoad, machineLoadWindow, rssBytes } from './support/proc-usage';
import { natsServerPid, postgresBackends } from './support/service-processes';
import { sleep } from './support/stats';
import { fmt, isSmoke, printTable, type Row } from './support/table';

const smoke = isSmoke();
const sessionsFlag = process.argv.find((a) => a.startsWith('--sessions='));
const WANTED = sessionsFlag ? Number(sessionsFlag.slice('--sessions='.length)) : smoke ? 200 : 100_000;
/** File descriptors a node keeps for what is not a session: its listeners, database, NATS, logs. */
const NODE_FD_RESERVE = 1_500;
const HEARTBEAT_MS = smoke ? 500 : 30_000;
const IDLE_WINDOW_MS = smoke ? 1_000 : 20_000;
const HEARTBEAT_WINDOW_MS = smoke ? 1_000 : 30_000;
/** Logins started per second per client process, and in flight at once: a storm the nodes absorb. */
const LOGINS_PER_SECOND = smoke ? 1_000 : 250;
const LOGIN_CONCURRENCY = 32;

function safeCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return cpuMicros(pid);
  } catch {
    return 0;
  }
}

/** CPU of each pid (µs) over ms milliseconds. */
async function cpuOver(pids: readonly (number | undefined)[], ms: number): Promise<number[]> {
  const before = pids.map(safeCpu);
  await sleep(ms);
  return pids.map((pid, i) => safeCpu(pid) - before[i]!);
}

async function startNodes(count: number, notes: string[]): Promise<IdleNodes> {
  const support = clusterSupport();
  const problem = support.cluster ? ((await postgresProblem()) ?? (await natsProblem(NATS_URL))) : NO_CLUSTER;
  if (problem === undefined) return startClusterNodes(count, NATS_URL);
  notes.push(`cluster on PostgreSQL + NATS ${problem}; these nodes are ${count} independent SQLite servers instead (the gateway's cost per session, without a cluster's presence)`);
  return startIndependentNodes(count);
}

async function main(): Promise<void> {
  const notes: string[] = [];
  const limit = openFileLimit();
  const perNode = Math.min(limit - NODE_FD_RESERVE, Math.ceil(WANTED / (smoke ? 2 : 1)));
  const nodeCount = Math.max(2, Math.ceil(WANTED / perNode));
  const cluster = await startNodes(nodeCount, notes);
  const groups: IdleClients[] = [];
  try {
    const nodes = cluster.nodes;
    const pids = nodes.map((n) => n.server.pid);
    await Promise.all(nodes.map((n) => n.server.gc()));
    const rssBefore = pids.map(rssBytes);
    const started = Date.now();
    const progress = new Array<number>(nodes.length).fill(0);
    let reported = 0;
    let first = 0;
    for (const [k, node] of nodes.entries()) {
      const count = Math.min(Math.ceil(WANTED / nodes.length), WANTED - first);
      const group = forkIdleClients({
        port: node.server.port,
        appId: node.appId,
        appToken: node.appToken,
        count,
        firstUser: first,
        localAddress: `127.0.0.${2 + k}`,
        concurrency: LOGIN_CONCURRENCY,
        loginsPerSecond: LOGINS_PER_SECOND,
      });
      first += count;
      group.onProgress = (ok) => {
        progress[k] = ok;
        const total = progress.reduce((a, b) => a + b, 0);
        if (total - reported >= 10_000) {
          reported = total;
          process.stderr.write(`  ${fmt(total)} sessions logged in after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
        }
      };
      groups.push(group);
    }
    const results = await Promise.all(groups.map((g) => g.ready));
    const loginSeconds = (Date.now() - started) / 1000;
    const ok = results.reduce((a, r) => a + r.ok, 0);
    const failed = results.reduce((a, r) => a + r.failed, 0);
    if (failed > 0) notes.push(`${fmt(failed)} logins failed; first error: ${results.find((r) => r.firstError)?.firstError ?? ''}`);

    await Promise.all(nodes.map((n) => n.server.gc()));
    const rssAfter = pids.map(rssBytes);
    const sessions = (await Promise.all(nodes.map((n) => n.server.stats()))).map((s) => s.sessions);
    const perSessionKiB = pids.map((_, i) => (rssAfter[i]! - rssBefore[i]!) / 1024 / Math.max(1, sessions[i]!));

    const pgPids = cluster.schema ? await postgresBackends(pids) : [];
    const nats = cluster.schema ? natsServerPid() : undefined;
    const idleLoad = machineLoadWindow();
    const idle = await cpuOver([...pids, ...pgPids, nats], IDLE_WINDOW_MS);
    const idleMachine = idleLoad();

    for (const group of groups) group.heartbeat(HEARTBEAT_MS);
    // every session's first ping falls within one interval: measure once all of them beat
    await sleep(HEARTBEAT_MS);
    await Promise.all(groups.map((g) => g.count()));
    const beatLoad = machineLoadWindow();
    const pongsBefore = (await Promise.all(groups.map((g) => g.count()))).map((c) => c.pongs);
    const beating = await cpuOver([...pids, ...pgPids, nats], HEARTBEAT_WINDOW_MS);
    const counts = await Promise.all(groups.map((g) => g.count()));
    const beatMachine = beatLoad();
    const pongs = counts.map((c, i) => c.pongs - pongsBefore[i]!);
    const open = counts.reduce((a, c) => a + c.open, 0);

    const nodeIdle = idle.slice(0, pids.length);
    const nodeBeat = beating.slice(0, pids.length);
    /** Node CPU per heartbeat: the window's CPU minus what the node spends idle over as long, per pong its clients got. */
    const perBeatUs = pids.map((_, i) => (nodeBeat[i]! - (nodeIdle[i]! * HEARTBEAT_WINDOW_MS) / IDLE_WINDOW_MS) / Math.max(1, pongs[i]!));
    const core = (us: number, ms: number) => `${fmt((us / 1000 / ms) * 100, 2)} % of a core`;
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    const list = (xs: readonly number[], digits: number) => xs.map((x) => fmt(x, digits)).join(' / ');
    const services = (window: number[], ms: number) => {
      const pg = sum(window.slice(pids.length, pids.length + pgPids.length));
      const natsCpu = window[window.length - 1]!;
      return `PostgreSQL backends ${core(pg, ms)}, NATS server ${core(natsCpu, ms)}`;
    };
    const rows: Row[] = [
      { measure: 'sessions logged in, all nodes', magpie: fmt(ok), peer: 'no peer', target: fmt(WANTED), met: ok >= WANTED },
      { measure: 'sessions per node', magpie: list(sessions, 0), peer: 'no peer' },
      { measure: 'sessions still open after the windows', magpie: fmt(open), peer: 'no peer' },
      { measure: 'logins per second, all nodes (paced)', magpie: fmt(ok / loginSeconds), peer: 'no peer' },
      { measure: 'node RSS before / after the logins (MiB, mean of nodes)', magpie: `${fmt(sum(rssBefore) / nodes.length / 2 ** 20)} / ${fmt(sum(rssAfter) / nodes.length / 2 ** 20)}`, peer: 'no peer' },
      { measure: 'RSS per session, each node (KiB)', magpie: list(perSessionKiB, 1), peer: 'no peer' },
      { measure: 'RSS per session, all nodes', magpie: `${fmt((sum(rssAfter) - sum(rssBefore)) / 1024 / Math.max(1, sum(sessions)), 1)} KiB`, peer: 'no peer' },
      { measure: `nodes' CPU idle (no pings), all nodes over ${fmt(IDLE_WINDOW_MS / 1000)} s`, magpie: core(sum(nodeIdle), IDLE_WINDOW_MS), peer: 'no peer' },
      { measure: `nodes' CPU, every session pinging every ${fmt(HEARTBEAT_MS / 1000, 1)} s (${fmt(sum(pongs) / (HEARTBEAT_WINDOW_MS / 1000))} pongs/s)`, magpie: core(sum(nodeBeat), HEARTBEAT_WINDOW_MS), peer: 'no peer' },
      { measure: 'node CPU per heartbeat, each node (µs)', magpie: list(perBeatUs, 1), peer: 'no peer' },
      { measure: 'node CPU per heartbeat, all nodes', magpie: `${fmt((sum(nodeBeat) - (sum(nodeIdle) * HEARTBEAT_WINDOW_MS) / IDLE_WINDOW_MS) / Math.max(1, sum(pongs)), 1)} µs`, peer: 'no peer' },
      { measure: 'pongs received in the heartbeat window', magpie: fmt(sum(pongs)), peer: 'no peer' },
    ];
    printTable(`Cluster: idle sessions across ${nodes.length} node processes${smoke ? ' [smoke]' : ''}`, rows, [
      ...notes,
      `${nodes.length} nodes, each with one client process of its own from 127.0.0.2–127.0.0.${1 + nodes.length}; open-file limit ${fmt(limit)} per process (a node holds at most ${fmt(limit - NODE_FD_RESERVE)} sessions here)`,
      `logins: app token, ${fmt(LOGINS_PER_SECOND)}/s and ${LOGIN_CONCURRENCY} in flight per client process at most; all ${fmt(ok)} in ${fmt(loginSeconds, 1)} s`,
      `RSS from /proc/PID/status after a full GC in each node; CPU from /proc/PID/stat (10 ms ticks); heartbeat: one PING with request id per session, answered by PONG, phases spread over the interval, measured over ${fmt(HEARTBEAT_WINDOW_MS / 1000)} s after one interval of warm-up; per heartbeat = (window CPU − idle CPU over as long) ÷ pongs`,
      ...(cluster.schema
        ? [`shared services: idle ${services(idle, IDLE_WINDOW_MS)}; heartbeats ${services(beating, HEARTBEAT_WINDOW_MS)} (the NATS server also serves other work on this machine)`]
        : []),
      `machine load: idle window ${describeLoad(idleMachine)}; heartbeat window ${describeLoad(beatMachine)} (nodes, clients, PostgreSQL and NATS share 2 cores)`,
    ]);
  } finally {
    await Promise.all(groups.map((g) => g.stop()));
    await cluster.stop();
  }
}

await main();
