/**
 * Idle sessions across nodes: 100,000 logged-in, idle sessions spread over several node processes
 * on this machine (each under the per-process open-file limit), from one client process per node,
 * each bound to its own 127.0.0.x source address. Per node: RSS per session (/proc/PID/status,
 * after a full GC, minus the node's RSS before the logins), CPU while nobody pings (the cluster's
 * own heartbeat, short through tuning, the revocation poll and timers), and CPU per client
 * heartbeat while every session pings (/proc/PID/stat over measured windows). Node 1's sessions
 * log in first, alone: the other nodes' JS heap growth meanwhile is what mirroring a remote
 * session's presence costs. Nodes are a cluster on PostgreSQL + NATS where this tree has cluster
 * mode, otherwise independent SQLite servers (the table says which). Logins are paced app-token
 * logins (the cheapest the server has).
 *
 *   npm run bench -- cluster-idle [--smoke] [--sessions=N]     (--smoke: 2 nodes, 200 sessions, 0.5 s windows)
 */
import { NATS_URL } from './support/chat-setups';
import { clusterSupport, NO_CLUSTER } from './support/cluster-support';
import { openFileLimit } from './support/fd-limit';
import type { IdleClients } from './support/idle-clients';
import { startClusterNodes, startIndependentNodes, type IdleNodes } from './support/idle-nodes';
import { loginStorm, type StormTarget } from './support/login-storm';
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
const HEARTBEAT_MS = smoke ? 250 : 30_000;
/** The cluster's node heartbeat (default 1 s), short so the idle window measures it well above the 10 ms ticks. */
const CLUSTER_HEARTBEAT_MS = 100;
/**
 * The sessions stay silent from their login to the heartbeat phase, longer than the default idle
 * timeout (10 min) when the storm is slow; and on 2 shared cores at a load of 15 a node's event
 * loop can stall past the default 3 s of cluster silence, after which the others forget its
 * sessions. Neither is what this bench measures.
 */
const IDLE_TUNING = { idleTimeoutMs: 3_600_000, clusterNodeSilenceMs: 60_000 };
/** How long the nodes may take to learn each other's sessions before a memory reading. */
const PRESENCE_WAIT_MS = smoke ? 5_000 : 60_000;
const IDLE_WINDOW_MS = smoke ? 500 : 20_000;
const HEARTBEAT_WINDOW_MS = smoke ? 500 : 30_000;
/** Logins started per second per client process, and in flight at once: a storm the nodes absorb. */
const PACE = { loginsPerSecond: smoke ? 1_000 : 300, concurrency: 32 };

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
  if (problem === undefined) {
    return startClusterNodes(count, NATS_URL, { ...IDLE_TUNING, clusterHeartbeatMs: CLUSTER_HEARTBEAT_MS });
  }
  notes.push(`cluster on PostgreSQL + NATS ${problem}; these nodes are ${count} independent SQLite servers instead (the gateway's cost per session, without a cluster's presence)`);
  return startIndependentNodes(count, IDLE_TUNING);
}

/** Waits until each node knows of at least `wanted[i]` cluster sessions; the shortfall when it gives up. */
async function presenceSettled(nodes: IdleNodes['nodes'], wanted: readonly number[]): Promise<number[]> {
  const deadline = Date.now() + PRESENCE_WAIT_MS;
  for (;;) {
    const known = (await Promise.all(nodes.map((n) => n.server.stats()))).map((s) => s.cluster?.clusterSessions ?? Number.POSITIVE_INFINITY);
    const short = known.map((k, i) => Math.max(0, wanted[i]! - k));
    if (short.every((x) => x === 0) || Date.now() > deadline) return short;
    await sleep(500);
  }
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const list = (xs: readonly number[], digits: number) => xs.map((x) => fmt(x, digits)).join(' / ');
const core = (us: number, ms: number) => `${fmt((us / 1000 / ms) * 100, 2)} % of a core`;
const mib = (bytes: number) => fmt(bytes / 2 ** 20);

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
    const gcAll = () => Promise.all(nodes.map((n) => n.server.gc()));
    await gcAll();
    const rssBefore = pids.map(rssBytes);
    const heap = async () => (await Promise.all(nodes.map((n) => n.server.stats()))).map((x) => x.heapUsedBytes);
    const heapBefore = await heap();
    const share = Math.ceil(WANTED / nodes.length);
    const targets: StormTarget[] = nodes.map((node, k) => ({
      port: node.server.port,
      appId: node.appId,
      appToken: node.appToken,
      count: Math.max(0, Math.min(share, WANTED - k * share)),
      firstUser: k * share,
      index: k,
    }));

    // node 1 alone first: the others' growth meanwhile is the presence mirror of its sessions
    const first = await loginStorm(targets.slice(0, 1), PACE);
    groups.push(...first.groups);
    // this machine's PostgreSQL runs without autovacuum: give the planner what autovacuum would
    await cluster.schema?.analyze();
    const mirrorShort = await presenceSettled(nodes.slice(1), nodes.slice(1).map(() => first.ok));
    if (sum(mirrorShort) > 0) notes.push(`after node 1's logins, nodes 2+ still missed ${list(mirrorShort, 0)} of its sessions after ${fmt(PRESENCE_WAIT_MS / 1000)} s`);
    await gcAll();
    // the JS heap after a full GC, not RSS: a few MiB of mirror drown in RSS's own swings
    const heapMirror = await heap();
    const mirrorKiB = sum(nodes.slice(1).map((_, i) => heapMirror[i + 1]! - heapBefore[i + 1]!)) / (nodes.length - 1) / 1024 / Math.max(1, first.ok);
    const rest = await loginStorm(targets.slice(1), PACE);
    groups.push(...rest.groups);
    const ok = first.ok + rest.ok;
    const failed = first.failed + rest.failed;
    if (failed > 0) notes.push(`${fmt(failed)} logins failed; first error: ${first.firstError || rest.firstError}`);

    const fullShort = await presenceSettled(nodes, nodes.map(() => ok));
    if (sum(fullShort) > 0) notes.push(`after all logins, the nodes still missed ${list(fullShort, 0)} of the cluster's sessions after ${fmt(PRESENCE_WAIT_MS / 1000)} s`);
    await gcAll();
    const rssAfter = pids.map(rssBytes);
    const stats = await Promise.all(nodes.map((n) => n.server.stats()));
    const sessions = stats.map((s) => s.sessions);
    const perSessionKiB = pids.map((_, i) => (rssAfter[i]! - rssBefore[i]!) / 1024 / Math.max(1, sessions[i]!));
    const ownKiB = pids.map((_, i) => perSessionKiB[i]! - (mirrorKiB * (sum(sessions) - sessions[i]!)) / Math.max(1, sessions[i]!));

    const pgPids = cluster.schema ? await postgresBackends(pids) : [];
    const nats = cluster.schema ? natsServerPid() : undefined;
    const watched = [...pids, ...pgPids, nats];
    const idleLoad = machineLoadWindow();
    const idle = await cpuOver(watched, IDLE_WINDOW_MS);
    const idleMachine = idleLoad();

    for (const group of groups) group.heartbeat(HEARTBEAT_MS);
    // every session's first ping falls within one interval: measure once all of them beat
    await sleep(HEARTBEAT_MS);
    const pongsBefore = (await Promise.all(groups.map((g) => g.count()))).map((c) => c.pongs);
    const beatLoad = machineLoadWindow();
    const beating = await cpuOver(watched, HEARTBEAT_WINDOW_MS);
    const beatMachine = beatLoad();
    const counts = await Promise.all(groups.map((g) => g.count()));
    const pongs = counts.map((c, i) => c.pongs - pongsBefore[i]!);

    const nodeIdle = idle.slice(0, pids.length);
    const nodeBeat = beating.slice(0, pids.length);
    const idleOver = (us: number) => (us * HEARTBEAT_WINDOW_MS) / IDLE_WINDOW_MS;
    /** Node CPU per client heartbeat: the window's CPU minus what the node spends idle over as long, per pong its clients got. */
    const perBeatUs = pids.map((_, i) => (nodeBeat[i]! - idleOver(nodeIdle[i]!)) / Math.max(1, pongs[i]!));
    const services = (window: readonly number[], ms: number) =>
      `PostgreSQL backends ${core(sum(window.slice(pids.length, pids.length + pgPids.length)), ms)}, NATS server ${core(window[window.length - 1]!, ms)}`;
    const clustered = cluster.schema !== undefined;
    const rows: Row[] = [
      { measure: 'sessions logged in, all nodes', magpie: fmt(ok), peer: 'no peer', target: fmt(WANTED), met: ok >= WANTED },
      { measure: 'sessions per node', magpie: list(sessions, 0), peer: 'no peer' },
      ...(clustered
        ? [{ measure: 'cluster sessions each node knows of (its own + its presence mirror)', magpie: list(stats.map((x) => x.cluster?.clusterSessions ?? Number.NaN), 0), peer: 'no peer' }]
        : []),
      { measure: 'sessions still open after the windows', magpie: fmt(sum(counts.map((c) => c.open))), peer: 'no peer' },
      { measure: 'logins per second: node 1 alone / the other nodes together (paced)', magpie: `${fmt(first.ok / first.seconds)} / ${fmt(rest.ok / rest.seconds)}`, peer: 'no peer' },
      { measure: 'node RSS before / after the logins (MiB, mean of nodes)', magpie: `${mib(sum(rssBefore) / nodes.length)} / ${mib(sum(rssAfter) / nodes.length)}`, peer: 'no peer' },
      { measure: 'RSS growth per own session, each node (KiB)', magpie: list(perSessionKiB, 1), peer: 'no peer' },
      { measure: 'RSS growth per session, all nodes', magpie: `${fmt((sum(rssAfter) - sum(rssBefore)) / 1024 / Math.max(1, sum(sessions)), 1)} KiB`, peer: 'no peer' },
      ...(clustered
        ? [
            { measure: "presence mirror: JS heap per remote session (nodes 2+ while node 1's logged in)", magpie: `${fmt(mirrorKiB, 2)} KiB`, peer: 'no peer' },
            { measure: 'RSS per own session net of the mirror, each node (KiB)', magpie: list(ownKiB, 1), peer: 'no peer' },
          ]
        : []),
      {
        measure: `nodes' CPU idle (no pings${clustered ? `, cluster heartbeat every ${fmt(CLUSTER_HEARTBEAT_MS)} ms` : ''}), each node`,
        magpie: nodeIdle.map((us) => core(us, IDLE_WINDOW_MS).replace(' of a core', '')).join(' / ') + ' of a core',
        peer: 'no peer',
      },
      ...(clustered
        ? [{ measure: 'node CPU per cluster heartbeat interval (1 beat sent, the others received), mean of nodes', magpie: `${fmt((sum(nodeIdle) / nodes.length) * (CLUSTER_HEARTBEAT_MS / IDLE_WINDOW_MS), 1)} µs`, peer: 'no peer' }]
        : []),
      { measure: `nodes' CPU, every session pinging every ${fmt(HEARTBEAT_MS / 1000, 1)} s (${fmt(sum(pongs) / (HEARTBEAT_WINDOW_MS / 1000))} pongs/s), all nodes`, magpie: core(sum(nodeBeat), HEARTBEAT_WINDOW_MS), peer: 'no peer' },
      { measure: 'node CPU per client heartbeat, each node (µs)', magpie: list(perBeatUs, 1), peer: 'no peer' },
      { measure: 'node CPU per client heartbeat, all nodes', magpie: `${fmt((sum(nodeBeat) - idleOver(sum(nodeIdle))) / Math.max(1, sum(pongs)), 1)} µs`, peer: 'no peer' },
    ];
    printTable(`Cluster: idle sessions across ${nodes.length} node processes${smoke ? ' [smoke]' : ''}`, rows, [
      ...notes,
      `${nodes.length} nodes, each with one client process of its own from 127.0.0.2–127.0.0.${1 + nodes.length}; open-file limit ${fmt(limit)} per process (a node holds at most ${fmt(limit - NODE_FD_RESERVE)} sessions here)`,
      `logins: app token, ${fmt(PACE.loginsPerSecond)}/s and ${PACE.concurrency} in flight per client process at most; ${fmt(first.ok)} on node 1 in ${fmt(first.seconds, 1)} s, then ${fmt(rest.ok)} on the others in ${fmt(rest.seconds, 1)} s`,
      `RSS from /proc/PID/status after a full GC in each node; CPU from /proc/PID/stat (10 ms ticks); client heartbeat: one PING with request id per session, answered by PONG, phases spread over the interval, measured over ${fmt(HEARTBEAT_WINDOW_MS / 1000)} s after one interval of warm-up; per heartbeat = (window CPU − idle CPU over as long) ÷ pongs`,
      ...(clustered ? [`shared services: idle ${services(idle, IDLE_WINDOW_MS)}; heartbeats ${services(beating, HEARTBEAT_WINDOW_MS)} (the NATS server also serves other work on this machine)`] : []),
      `machine load: idle window ${describeLoad(idleMachine)}; heartbeat window ${describeLoad(beatMachine)} (nodes, clients, PostgreSQL and NATS share 2 cores)`,
    ]);
  } finally {
    await Promise.all(groups.map((g) => g.stop()));
    await cluster.stop();
  }
}

await main().catch((error: unknown) => {
  process.stderr.write(`cluster-idle failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
