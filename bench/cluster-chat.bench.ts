/**
 * Cluster 1:1: A sends N messages to B in a burst, serially and paced (as in one-to-one.bench.ts,
 * each end in a process of its own, timed on the system-wide monotonic clock), on one node with
 * SQLite, and on 1, 2 and 3 nodes sharing a PostgreSQL schema with NATS between them (A on the
 * first node, B on the last, so every message crosses nodes), beside ejabberd in the same run.
 * Every set-up stays open until all are measured, then each runs paced at one common rate: half
 * of the slowest Magpie set-up's burst rate. Per set-up: the nodes' CPU per message (/proc), the
 * CPU of the PostgreSQL backends serving them, rows written per message, and the machine's load.
 *
 *   npm run bench -- cluster-chat [--smoke] [--peers] [--no-peers]   (--smoke: 200 messages, SQLite and 2 PostgreSQL nodes, no peer)
 */
import type { ProcessPair, RunResult } from './support/chat-processes';
import { forkChatPair } from './support/chat-processes';
import { describeSetup, NATS_URL, openSetup, type ChatSetup, type OpenSetup } from './support/chat-setups';
import { clusterSupport, NO_CLUSTER, NO_POSTGRES } from './support/cluster-support';
import { countNatsMessages, natsProblem, type NatsCount } from './support/nats-counter';
import { NOT_INSTALLED, startEjabberd } from './support/peers';
import { pgRoundTrip } from './support/pg-round-trip';
import { BENCH_PG, postgresProblem } from './support/pg-schema';
import { describeLoad, machineLoadWindow, totalCpuMicros, type MachineLoad } from './support/proc-usage';
import { sleep, type LatencySummary } from './support/stats';
import { fmt, fmtMs, isSmoke, printTable, ratioHigher, ratioLower, type Row } from './support/table';

const smoke = isSmoke();
const N = smoke ? 200 : 10_000;
const WARMUP = smoke ? 50 : 500;
/** A serial warm-up, during which (as during the burst one) the bench counts the cluster's NATS messages. */
const WARMUP_SERIAL = smoke ? 20 : 200;
const PASSWORD = 'bench-password';

interface Figures {
  readonly name: string;
  readonly burst: RunResult;
  readonly serial: RunResult;
  paced?: RunResult;
  /** All nodes' CPU (user + system) per message, µs. */
  readonly nodeCpuUs?: { burst: number; serial: number };
  /** The CPU of the PostgreSQL backends serving the nodes, per message, µs. */
  readonly postgresCpuUs?: { burst: number; serial: number };
  rowWritesPerMessage?: number;
  /** NATS messages per chat message during the warm-ups: pushes routed, and all the cluster's subjects (presence beats included). */
  nats?: { burst: NatsCount; serial: NatsCount };
  readonly load: MachineLoad;
  pacedLoad?: MachineLoad;
  /** The nodes' event-loop delay during the paced run (the worst node). */
  serverLoop?: { p99Ms: number; maxMs: number };
}

/** The sum of the processes' CPU, ignoring ones that have exited (a pool may close a connection). */
function cpuOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => {
    try {
      return sum + totalCpuMicros([pid]);
    } catch {
      return sum;
    }
  }, 0);
}

async function measure(name: string, pair: ProcessPair, open?: OpenSetup): Promise<Figures> {
  const rows0 = await open?.schema?.rowWrites();
  // counted during the warm-ups only: the counter is one more subscriber NATS delivers to
  const counter = open?.natsPrefix ? await countNatsMessages(NATS_URL, `${open.natsPrefix}.>`) : undefined;
  await pair.run('burst', WARMUP, { tag: 'warm' });
  const natsBurst = counter?.seen();
  await pair.run('serial', WARMUP_SERIAL, { tag: 'warms' });
  const natsSerial = counter?.seen();
  counter?.close();
  // this machine's PostgreSQL runs without autovacuum: without statistics on the new tables the
  // planner takes a sender's index for the resend check and scans all of a sender's messages per SEND
  await open?.schema?.analyze();
  const pgPids = (await open?.postgresPids()) ?? [];
  const nodes = () => cpuOf(open?.nodePids ?? []);
  const pg = () => cpuOf(pgPids);
  const loadWindow = machineLoadWindow();
  const [n0, p0] = [nodes(), pg()];
  const burst = await pair.run('burst', N);
  const [n1, p1] = [nodes(), pg()];
  const serial = await pair.run('serial', N);
  const [n2, p2] = [nodes(), pg()];
  const figures: Figures = { name, burst, serial, load: loadWindow() };
  if (open === undefined) return figures;
  if (natsBurst && natsSerial) figures.nats = { burst: natsBurst, serial: minus(natsSerial, natsBurst) };
  const perMessage = (a: number, b: number, c: number) => ({ burst: (b - a) / N, serial: (c - b) / N });
  Object.assign(figures, { nodeCpuUs: perMessage(n0, n1, n2) });
  if (pgPids.length > 0) Object.assign(figures, { postgresCpuUs: perMessage(p0, p1, p2) });
  if (open.schema && rows0 && !smoke) {
    const rows1 = await settledRowWrites(open);
    figures.rowWritesPerMessage = (rows1 - (rows0.inserted + rows0.updated + rows0.deleted)) / (WARMUP + WARMUP_SERIAL + 2 * N);
  }
  return figures;
}

function minus(a: NatsCount, b: NatsCount): NatsCount {
  const byKind: Record<string, number> = {};
  for (const kind of Object.keys(a.byKind)) byKind[kind] = a.byKind[kind]! - (b.byKind[kind] ?? 0);
  return { messages: a.messages - b.messages, bytes: a.bytes - b.bytes, byKind };
}

/** One message across nodes first: nodes that do not route would leave every run to its timeout. */
async function checkRoutes(open: OpenSetup): Promise<void> {
  const probe = await open.pair.run('serial', 1, { tag: 'probe', timeoutMs: 5_000 });
  if (probe.missing > 0) throw new Error(`a message from node 1 did not reach node ${open.setup.nodes} within 5 s: the nodes do not route to each other`);
}

/** PostgreSQL's table statistics arrive from each backend up to ~10 s late: wait until they stop moving. */
async function settledRowWrites(open: OpenSetup): Promise<number> {
  const read = async () => {
    const r = await open.schema!.rowWrites();
    return r.inserted + r.updated + r.deleted;
  };
  let last = await read();
  for (let i = 0; i < 12; i++) {
    await sleep(1_000);
    const now = await read();
    if (now === last && i >= 1) return now;
    last = now;
  }
  return last;
}

async function pacedRun(pair: ProcessPair, rate: number, figures: Figures, open?: OpenSetup): Promise<void> {
  await Promise.all((open?.servers ?? []).map((server) => server.loopDelay()));
  const loadWindow = machineLoadWindow();
  figures.paced = await pair.run('paced', N, { rate });
  figures.pacedLoad = loadWindow();
  if (open) {
    const loops = await Promise.all(open.servers.map((server) => server.loopDelay()));
    figures.serverLoop = { p99Ms: Math.max(...loops.map((l) => l.p99Ms)), maxMs: Math.max(...loops.map((l) => l.maxMs)) };
  }
}

type PeerOutcome = { name: string; figures?: Figures; note?: string };

/** ejabberd (messages in memory, as in one-to-one.bench.ts) with the same runs, paced at the same rate. */
async function ejabberdFigures(rate: number): Promise<PeerOutcome> {
  const name = 'ejabberd';
  if (process.argv.includes('--no-peers')) return { name, note: 'skipped (--no-peers)' };
  if (smoke && !process.argv.includes('--peers')) return { name, note: 'skipped in smoke mode' };
  const peer = await startEjabberd(['alice', 'bob'], PASSWORD).catch((error: Error) => error);
  if (peer === undefined) return { name, note: `${NOT_INSTALLED} (apt-get install -y ejabberd)` };
  if (peer instanceof Error) return { name, note: `failed to start: ${peer.message}` };
  try {
    const pair = await forkChatPair({ kind: 'xmpp', port: peer.port, domain: peer.domain, password: PASSWORD });
    try {
      const figures = await measure(`${name} ${peer.version}`, pair);
      await pacedRun(pair, rate, figures);
      return { name: figures.name, figures };
    } finally {
      await pair.close();
    }
  } catch (error) {
    return { name, note: `failed: ${(error as Error).message}` };
  } finally {
    await peer.stop();
  }
}

/** The set-ups this tree and this machine can run, and a line for each one they cannot. */
async function plannedSetups(): Promise<{ setups: ChatSetup[]; skipped: string[] }> {
  const support = clusterSupport();
  const setups: ChatSetup[] = [{ label: 'sqlite', nodes: 1, store: 'sqlite' }];
  const skipped: string[] = [];
  // smoke: the 2-node set-up alone covers PostgreSQL and NATS, in CI's ~20 s
  const counts = smoke ? [2] : [1, 2, 3];
  const pgDown = support.postgres ? await postgresProblem() : undefined;
  const natsDown = support.cluster ? await natsProblem(NATS_URL) : undefined;
  for (const nodes of counts) {
    const setup: ChatSetup = { label: `pg${nodes}`, nodes, store: 'postgres' };
    const why = !support.postgres ? NO_POSTGRES : pgDown ?? (nodes > 1 ? (!support.cluster ? NO_CLUSTER : natsDown) : undefined);
    if (why === undefined) setups.push(setup);
    else skipped.push(`${describeSetup(setup)}: ${why}`);
  }
  return { setups, skipped };
}

async function main(): Promise<void> {
  const { setups, skipped } = await plannedSetups();
  const pg = setups.some((s) => s.store === 'postgres') ? pgRoundTrip(`postgres://${BENCH_PG.user}@${BENCH_PG.host}:${BENCH_PG.port}/${BENCH_PG.database}`, smoke ? 200 : 5_000) : undefined;
  const opened: OpenSetup[] = [];
  const ours: Figures[] = [];
  let peer: PeerOutcome;
  try {
    for (const setup of setups) {
      let open: OpenSetup | undefined;
      try {
        open = await openSetup(setup);
        if (setup.nodes > 1) await checkRoutes(open);
        ours.push(await measure(describeSetup(setup), open.pair, open));
        opened.push(open);
      } catch (error) {
        skipped.push(`${describeSetup(setup)}: failed: ${(error as Error).message}`);
        await open?.close();
      }
    }
    const rate = Math.min(...ours.map((f) => f.burst.messagesPerSecond)) / 2;
    for (const [i, open] of opened.entries()) await pacedRun(open.pair, rate, ours[i]!, open);
    for (const open of opened.splice(0)) await open.close();
    peer = await ejabberdFigures(rate);
    printFigures(ours, peer, rate, skipped, pg);
  } finally {
    for (const open of opened) await open.close();
  }
}

function printFigures(ours: readonly Figures[], peer: PeerOutcome, rate: number, skipped: readonly string[], pg: LatencySummary | undefined): void {
  const rows: Row[] = [];
  const theirs = peer.figures;
  const versus = (mine: number, pick: (f: Figures) => number, higher: boolean) => ({
    peer: peer.name,
    peerFigure: theirs ? (higher ? fmt(pick(theirs)) : fmtMs(pick(theirs))) : peer.note!,
    ratio: theirs ? (higher ? ratioHigher(mine, pick(theirs)) : ratioLower(mine, pick(theirs))) : '',
  });
  const compared: [string, (f: Figures) => number, boolean][] = [
    ['burst msg/s', (f) => f.burst.messagesPerSecond, true],
    ['burst p99 latency', (f) => f.burst.p99Ms, false],
    ['serial msg/s', (f) => f.serial.messagesPerSecond, true],
    ['serial median latency', (f) => f.serial.medianMs, false],
    ['paced p99 latency', (f) => f.paced?.p99Ms ?? Number.NaN, false],
  ];
  for (const [measure, pick, higher] of compared) {
    for (const f of ours) {
      const mine = pick(f);
      rows.push({ measure: `${measure}, ${f.name}`, magpie: higher ? fmt(mine) : fmtMs(mine), ...versus(mine, pick, higher) });
    }
  }
  const us = (value: number | undefined) => (value === undefined ? 'n/a' : `${fmt(value)} µs`);
  for (const f of ours) {
    rows.push({ measure: `nodes' CPU/msg, burst / serial, ${f.name}`, magpie: `${us(f.nodeCpuUs?.burst)} / ${us(f.nodeCpuUs?.serial)}`, peer: 'no peer' });
  }
  for (const f of ours.filter((x) => x.postgresCpuUs)) {
    rows.push({ measure: `PG backends' CPU/msg, burst / serial, ${f.name}`, magpie: `${us(f.postgresCpuUs?.burst)} / ${us(f.postgresCpuUs?.serial)}`, peer: 'no peer' });
  }
  for (const f of ours.filter((x) => x.rowWritesPerMessage !== undefined)) {
    rows.push({ measure: `PG rows written/msg, ${f.name}`, magpie: fmt(f.rowWritesPerMessage!, 1), peer: 'no peer' });
  }
  for (const f of ours.filter((x) => x.nats)) {
    const per = (c: NatsCount, n: number) => `${fmt((c.byKind.push ?? 0) / n, 2)} push, ${fmt(c.messages / n, 2)} all`;
    rows.push({
      measure: `NATS msgs/msg, burst / serial warm-up, ${f.name}`,
      magpie: `${per(f.nats!.burst, WARMUP)} / ${per(f.nats!.serial, WARMUP_SERIAL)}`,
      peer: 'no peer',
    });
  }
  if (pg) rows.push({ measure: 'PG round trip, one prepared statement, median / p99', magpie: `${fmtMs(pg.medianMs)} / ${fmtMs(pg.p99Ms)}`, peer: 'no peer' });
  const lost = ours.filter((f) => f.burst.missing + f.serial.missing + (f.paced?.missing ?? 0) > 0);
  printTable(`Cluster 1:1, ${fmt(N)} messages A → B${smoke ? ' [smoke]' : ''}`, rows, [
    ...skipped.map((line) => `${line}`),
    `paced = ${fmt(rate)} msg/s for every system, half of the slowest Magpie set-up's burst rate`,
    `machine load during burst + serial / paced: ${[...ours, ...(theirs ? [theirs] : [])].map((f) => `${f.name}: ${describeLoad(f.load)} / ${f.pacedLoad ? describeLoad(f.pacedLoad) : 'n/a'}`).join('; ')}`,
    `nodes' event-loop delay during the paced run (worst node, p99 / max): ${ours.map((f) => `${f.name}: ${fmtMs(f.serverLoop?.p99Ms ?? Number.NaN)} / ${fmtMs(f.serverLoop?.maxMs ?? Number.NaN)}`).join('; ')}`,
    'all nodes, PostgreSQL, NATS, both clients and ejabberd share this machine\'s cores: a second or third node adds a hop and its cost, not capacity; every set-up stays open (idle) while the others run',
    `CPU from /proc/PID/stat (10 ms ticks); PostgreSQL backends: those serving the nodes' connections (pg_stat_activity matched to the nodes' sockets); rows: pg_stat_user_tables of the run's schema over warm-ups, burst and serial, logins included; NATS: a subscriber on the cluster's subjects (a prefix of the run's own) during the burst and serial warm-ups (${fmt(WARMUP)} and ${fmt(WARMUP_SERIAL)} messages), presence beats included in "all"`,
    'PG = PostgreSQL (one synchronous libpq connection per node, fsync on); rows written = inserts + updates; NATS msgs/msg: "push" = routed pushes, "all" = every message on the cluster\'s subjects; PG round trip: a prepared SELECT on a connection like a node\'s',
    'Magpie stores every message (SQLite WAL, or PostgreSQL) before SENT and PUSH; ejabberd keeps online messages in memory only; Magpie runs with its per-connection request rate limit lifted',
    ...lost.map((f) => `${f.name} lost ${fmt(f.burst.missing + f.serial.missing + (f.paced?.missing ?? 0))} messages (timeout)`),
  ]);
}

await main().catch((error: unknown) => {
  process.stderr.write(`cluster-chat failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
