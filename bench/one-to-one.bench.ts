/**
 * 1:1 throughput and latency: A sends N messages to B, in a burst (no waiting) and serially (each
 * after the previous one reached B); msg/s, median and p99 latency from A's send to B's receipt.
 * Then p99 latency at half of Magpie's burst rate (paced sends), for every system at that rate.
 * Magpie runs in a child process and stores every message before its SENT and its PUSH (the SENDs
 * of one event-loop turn share a SQLite transaction: group commit). Peers: ejabberd and prosody over @xmpp/client, mosquitto at QoS 1 over mqtt.
 *
 *   npm run bench -- one-to-one [--smoke] [--peers] [--no-peers]   (--smoke: 300 messages, no peers unless --peers)
 */
import { magpiePair, mqttPair, xmppPair, type ChatPair } from './support/chat-drivers';
import { burst, paced, serial, type RunResult } from './support/chat-runs';
import { forkMagpieServer } from './support/magpie-server';
import { withLoopDelay } from './support/stats';
import { NOT_INSTALLED, startEjabberd, startMosquitto, startProsody, type Peer } from './support/peers';
import { fmt, fmtMs, isSmoke, printTable, ratioHigher, ratioLower, type Row } from './support/table';

const smoke = isSmoke();
const N = smoke ? 300 : 10_000;
const WARMUP = smoke ? 50 : 500;
const PASSWORD = 'bench-password';

interface Figures {
  readonly burst: RunResult;
  readonly serial: RunResult;
  paced?: RunResult;
  /** Event-loop delay during the paced run: the bench's own (both clients), and Magpie's server's. */
  pacedLoops?: { benchP99Ms: number; benchMaxMs: number; serverP99Ms?: number; serverMaxMs?: number };
}

async function measure(pair: ChatPair): Promise<Figures> {
  await burst(pair, WARMUP, 'warm');
  return { burst: await burst(pair, N), serial: await serial(pair, N) };
}

type PeerOutcome = { name: string; figures?: Figures; note?: string };

async function withPeer(
  name: string,
  start: () => Promise<Peer | undefined>,
  connect: (peer: Peer) => Promise<ChatPair>,
  halfRate: number,
): Promise<PeerOutcome> {
  if (process.argv.includes('--no-peers')) return { name, note: 'skipped (--no-peers)' };
  if (smoke && !process.argv.includes('--peers')) return { name, note: 'skipped in smoke mode' };
  let peer: Peer | undefined;
  try {
    peer = await start();
    if (peer === undefined) return { name, note: NOT_INSTALLED };
    const pair = await connect(peer);
    try {
      const figures = await measure(pair);
      const run = await withLoopDelay(() => paced(pair, N, halfRate));
      figures.paced = run.result;
      figures.pacedLoops = { benchP99Ms: run.p99Ms, benchMaxMs: run.maxMs };
      return { name: `${name} ${peer.version}`, figures };
    } finally {
      await pair.close();
    }
  } catch (error) {
    return { name, note: `failed: ${(error as Error).message}` };
  } finally {
    await peer?.stop();
  }
}

async function main(): Promise<void> {
  const server = await forkMagpieServer();
  let ours: Figures;
  try {
    const pair = await magpiePair(server);
    ours = await measure(pair);
    await server.loopDelay();
    const run = await withLoopDelay(() => paced(pair, N, ours.burst.messagesPerSecond / 2));
    const serverLoop = await server.loopDelay();
    ours.paced = run.result;
    ours.pacedLoops = { benchP99Ms: run.p99Ms, benchMaxMs: run.maxMs, serverP99Ms: serverLoop.p99Ms, serverMaxMs: serverLoop.maxMs };
    await pair.close();
  } finally {
    await server.stop();
  }
  const halfRate = ours.burst.messagesPerSecond / 2;

  const peers: PeerOutcome[] = [];
  peers.push(await withPeer('ejabberd', () => startEjabberd(['alice', 'bob'], PASSWORD), (p) => xmppPair('ejabberd', p.port, p.domain, PASSWORD), halfRate));
  // the same server storing every message in its archive, as Magpie stores every one: for reference
  peers.push(
    await withPeer('ejabberd + archive', () => startEjabberd(['alice', 'bob'], PASSWORD, { archive: true }), (p) => xmppPair('ejabberd', p.port, p.domain, PASSWORD), halfRate),
  );
  peers.push(await withPeer('prosody', () => startProsody(['alice', 'bob'], PASSWORD), (p) => xmppPair('prosody', p.port, p.domain, PASSWORD), halfRate));
  peers.push(await withPeer('mosquitto QoS 1', () => startMosquitto(), (p) => mqttPair(p.port), halfRate));

  const rows: Row[] = [];
  const ejabberd = peers[0]!.figures;
  const mode = (label: string, pick: (f: Figures) => RunResult | undefined) => {
    const mine = pick(ours)!;
    for (const [i, peer] of peers.entries()) {
      const theirs = peer.figures ? pick(peer.figures) : undefined;
      const isEjabberd = i === 0;
      const rateTarget = label !== 'paced' && isEjabberd;
      rows.push({
        measure: `${label} msg/s`,
        magpie: fmt(mine.messagesPerSecond),
        peer: peer.name,
        peerFigure: theirs ? fmt(theirs.messagesPerSecond) + missing(theirs) : peer.note!,
        ratio: theirs ? ratioHigher(mine.messagesPerSecond, theirs.messagesPerSecond) : '',
        ...(rateTarget ? { target: '>= 2x ejabberd' } : {}),
        ...(rateTarget && ejabberd ? { met: mine.messagesPerSecond >= 2 * pick(ejabberd)!.messagesPerSecond } : {}),
      });
    }
    for (const [stat, key] of [
      ['median', 'medianMs'],
      ['p99', 'p99Ms'],
    ] as const) {
      for (const peer of peers) {
        const theirs = peer.figures ? pick(peer.figures) : undefined;
        const halfRateTarget = label === 'paced' && stat === 'p99' && peer === peers[0];
        // a peer without figures already said why on the msg/s row
        if (!theirs && !halfRateTarget) continue;
        rows.push({
          measure: `${label} ${stat} latency`,
          magpie: fmtMs(mine[key]),
          peer: peer.name,
          peerFigure: theirs ? fmtMs(theirs[key]) : peer.note!,
          ratio: theirs ? ratioLower(mine[key], theirs[key]) : '',
          ...(halfRateTarget ? { target: '< 5 ms', met: mine.p99Ms < 5 } : {}),
        });
      }
    }
  };
  mode('burst', (f) => f.burst);
  mode('serial', (f) => f.serial);
  mode('paced', (f) => f.paced);

  printTable(`1:1, ${fmt(N)} messages A → B${smoke ? ' [smoke]' : ''}`, rows, [
    `paced = ${fmt(halfRate)} msg/s for every system, half of Magpie's burst rate`,
    `event-loop delay during each paced run (p99 / max; the bench process drives both clients, so its delay is in every system's latency): ${loopNotes(ours, peers)}`,
    'Magpie persists every message in SQLite (WAL; the SENDs read in one event-loop turn share one transaction) before SENT and PUSH; ejabberd and prosody keep online messages in memory only, except "ejabberd + archive" (mod_mam with default: always: every message archived in SQLite, WAL, the schema ejabberd ships; its connection syncs each commit to disk, the SQLite default, where Magpie syncs at checkpoints: a commit survives a crashed process, not a power cut); mosquitto runs without persistence',
    'Magpie runs with its per-connection request rate limit lifted (default 50/s); the XMPP peers run without shapers',
    ...(ours.burst.missing + ours.serial.missing > 0 ? [`Magpie lost ${ours.burst.missing + ours.serial.missing} messages (timeout)`] : []),
  ]);
}

function loopNotes(ours: Figures, peers: readonly PeerOutcome[]): string {
  const ms = (value: number) => fmtMs(value);
  const loops = ours.pacedLoops!;
  const parts = [
    `Magpie: bench ${ms(loops.benchP99Ms)} / ${ms(loops.benchMaxMs)}, server ${ms(loops.serverP99Ms ?? 0)} / ${ms(loops.serverMaxMs ?? 0)}`,
    ...peers.flatMap((peer) => {
      const theirs = peer.figures?.pacedLoops;
      return theirs ? [`${peer.name}: bench ${ms(theirs.benchP99Ms)} / ${ms(theirs.benchMaxMs)}`] : [];
    }),
  ];
  return parts.join('; ');
}

function missing(r: RunResult): string {
  return r.missing > 0 ? ` (${fmt(r.missing)} not received)` : '';
}

await main();
