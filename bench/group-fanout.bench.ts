/**
 * Group fan-out: a 2,000-member group (the largest group type) with every member logged in on its
 * own socket, once write-diffused (one inbox row per member, groupTimelineThreshold out of reach)
 * and once read-diffused (the group's timeline, the server's default threshold of 200):
 *
 * - serial: the owner sends one message at a time into a quiet server; time until every member has
 *   it, and the server's CPU from the send until then;
 * - sustained: 100 messages a second for a while; per message the time until every member has
 *   it, and the server's CPU per message over the whole run (the members' confirms included);
 * - catch-up (read diffusion only): a user in many large groups, offline while each of them got
 *   messages, logs in and pulls its inbox and every timeline to the end, confirming as it goes.
 *
 *   npm run bench -- group-fanout [--smoke] [--part=fan-out|catch-up] [--mode=write|read] [--push-interval=MS]
 *   (--smoke: 100 members, a few messages, 10 small groups; --part: run one part only; --mode:
 *   run the fan-out in one mode only; --push-interval: the server's largeGroupPushIntervalMs)
 *
 * The server runs in a child process; the receiving sockets live in this process (so their
 * decoding cost is in the latency figures too, not in the server's CPU). No peer: ejabberd and
 * prosody groups (MUC) need a room protocol the 1:1 drivers do not speak.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { desktopTuning } from '../main/engine/tuning';
import { raiseOpenFileLimit } from './support/fd-limit';
import { forkMagpieServer, type BenchServer } from './support/magpie-server';
import { WireClient } from './support/magpie-wire-client';
import { nowMs, sleep, summarize } from './support/stats';
import { fmt, fmtMs, isSmoke, printTable } from './support/table';

const smoke = isSmoke();
const part = process.argv.find((a) => a.startsWith('--part='))?.slice('--part='.length);
const mode = process.argv.find((a) => a.startsWith('--mode='))?.slice('--mode='.length);
const pushInterval = process.argv.find((a) => a.startsWith('--push-interval='))?.slice('--push-interval='.length);
/** The server's tuning besides the threshold: the push interval when one is given. */
const extraTuning = pushInterval === undefined ? {} : { largeGroupPushIntervalMs: Number(pushInterval) };
const WANTED_MEMBERS = smoke ? 100 : 2_000;
const SERIAL_MESSAGES = smoke ? 3 : 30;
const RATE_PER_SECOND = 100;
const SUSTAINED_SECONDS = smoke ? 1 : 10;
const CATCH_UP_GROUPS = smoke ? 10 : 200;
const CATCH_UP_MEMBERS = smoke ? 50 : 2_000;
const CATCH_UP_MESSAGES_PER_GROUP = smoke ? 10 : 50;
const LOGINS_AT_ONCE = 50;
const INVITES_PER_REQUEST = 200;
const GROUP_TYPE_SUPER = 4;
/**
 * Members confirm as the desktop client does: the inbox after 200 ms, a timeline's pushes after 2 s.
 * The smoke run (CI: does the bench still run?) waits a tenth of that, as its figures are not read.
 */
const CONFIRM_SCALE = smoke ? 0.1 : 1;
const CONFIRMS = {
  confirmDelayMs: desktopTuning.confirmDelayMs * CONFIRM_SCALE,
  timelineConfirmDelayMs: desktopTuning.timelineConfirmDelayMs * CONFIRM_SCALE,
};
/** Until the confirms of a push have arrived. */
const CONFIRMS_DRAINED_MS = Math.max(CONFIRMS.confirmDelayMs, CONFIRMS.timelineConfirmDelayMs) + 300 * CONFIRM_SCALE;
/** Out of reach of any group: every group write-diffused (JSON carries no Infinity). */
const NEVER = 1_000_000_000;
/** The server's default threshold; the smoke run's small groups are read-diffused from half their size. */
const readThreshold = (members: number): number | undefined => (members >= 200 ? undefined : Math.ceil(members / 2));

interface ModeFigures {
  /** Server CPU per message with no member online: the store's part, without the pushes. */
  readonly offlineCpu: ReturnType<typeof summarize>;
  readonly serialAll: ReturnType<typeof summarize>;
  readonly serialCpu: ReturnType<typeof summarize>;
  /** The kernel's share of serialCpu (system time: the socket writes, and loopback's receiving side). */
  readonly serialSystemCpu: ReturnType<typeof summarize>;
  readonly sustainedAll: ReturnType<typeof summarize>;
  readonly sustainedCpuPerMessageMs: number;
  readonly sustainedSent: number;
  readonly lost: number;
}

async function createGroup(owner: WireClient, ids: readonly string[]): Promise<string> {
  const created = await owner.ask('GROUP', { op: { case: 'create', value: { name: 'fan-out', type: GROUP_TYPE_SUPER, members: ids.slice(0, INVITES_PER_REQUEST) } } });
  if (created.name !== 'GROUP_RESULT' || created.body.result.case !== 'group') throw new Error('group creation failed');
  const groupId = created.body.result.value.groupId;
  for (let i = INVITES_PER_REQUEST; i < ids.length; i += INVITES_PER_REQUEST) {
    await owner.ask('GROUP', { op: { case: 'invite', value: { groupId, users: ids.slice(i, i + INVITES_PER_REQUEST) } } });
  }
  return groupId;
}

async function pingPong(client: WireClient): Promise<void> {
  await new Promise<void>((resolve) => client.ping(resolve));
}

/** Tracks, per message text, when it was sent and how many members still miss it. */
class Arrivals {
  private readonly waiting = new Map<string, { sentAt: number; remaining: number; first?: number; done: (ms: number) => void }>();
  /** Per message, the time until the first member had it. */
  readonly firsts: number[] = [];

  constructor(receivers: readonly WireClient[]) {
    const onPushedText = (text: string | undefined): void => {
      const wait = text === undefined ? undefined : this.waiting.get(text);
      if (wait === undefined || text === undefined) return;
      if (wait.first === undefined) {
        wait.first = nowMs() - wait.sentAt;
        this.firsts.push(wait.first);
      }
      if (--wait.remaining === 0) {
        this.waiting.delete(text);
        wait.done(nowMs() - wait.sentAt);
      }
    };
    for (const client of receivers) client.onPushedText = onPushedText;
    this.receivers = receivers.length;
  }

  private readonly receivers: number;

  /** Resolves with the time until every member had it, or NaN after 30 s. */
  expect(text: string, sentAt: number): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(text);
        resolve(Number.NaN);
      }, 30_000);
      this.waiting.set(text, { sentAt, remaining: this.receivers, done: (ms) => (clearTimeout(timer), resolve(ms)) });
    });
  }
}

async function fanOut(members: number, threshold: number | undefined, notes: string[]): Promise<ModeFigures> {
  const server = await forkMagpieServer({ tuning: { ...extraTuning, ...(threshold === undefined ? {} : { groupTimelineThreshold: threshold }) } });
  const clients: WireClient[] = [];
  try {
    const owner = await WireClient.login(server.port, server.appId, server.appToken, 'owner');
    clients.push(owner);
    const ids = Array.from({ length: members - 1 }, (_, i) => `member${i}`);
    const groupId = await createGroup(owner, ids);
    const offlineCpu: number[] = [];
    for (let m = -2; m < SERIAL_MESSAGES; m++) {
      const cpuBefore = (await server.stats()).cpuMicros;
      await new Promise((resolve) => owner.sendText(groupId, `offline:${m}`, resolve));
      if (m >= 0) offlineCpu.push(((await server.stats()).cpuMicros - cpuBefore) / 1000);
    }
    for (let i = 0; i < ids.length; i += LOGINS_AT_ONCE) {
      const batch = await Promise.all(ids.slice(i, i + LOGINS_AT_ONCE).map((id) => WireClient.login(server.port, server.appId, server.appToken, id, CONFIRMS)));
      clients.push(...batch);
    }
    const arrivals = new Arrivals(clients.slice(1));
    let lost = 0;

    const serialAll: number[] = [];
    const serialCpu: number[] = [];
    const serialSystemCpu: number[] = [];
    for (let m = -2; m < SERIAL_MESSAGES; m++) {
      // two warm-up messages first, then the measured ones
      const text = `serial:${m}`;
      const before = await server.stats();
      const sentAt = nowMs();
      const all = arrivals.expect(text, sentAt);
      owner.sendText(groupId, text);
      const ms = await all;
      if (Number.isNaN(ms)) lost++;
      else if (m >= 0) {
        serialAll.push(ms);
        const after = await server.stats();
        serialCpu.push((after.cpuMicros - before.cpuMicros) / 1000);
        serialSystemCpu.push((after.cpuSystemMicros - before.cpuSystemMicros) / 1000);
      }
      // members confirm a while after the push (as the desktop client does): let those confirms
      // drain before the next message, so each figure is one message into a quiet server
      await sleep(CONFIRMS_DRAINED_MS);
      await pingPong(owner);
    }

    // sustained: sends on a fixed schedule, whatever the answers do
    const total = RATE_PER_SECOND * SUSTAINED_SECONDS;
    const sustained: Promise<number>[] = [];
    const sentMs: number[] = [];
    arrivals.firsts.length = 0;
    const cpuBefore = (await server.stats()).cpuMicros;
    const receiversBefore = process.cpuUsage();
    const ownLoop = monitorEventLoopDelay({ resolution: 1 });
    ownLoop.enable();
    await server.loopDelay();
    const started = nowMs();
    for (let m = 0; m < total; m++) {
      const due = started + (m * 1000) / RATE_PER_SECOND;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      const text = `rate:${m}`;
      const sentAt = nowMs();
      sustained.push(arrivals.expect(text, sentAt));
      owner.sendText(groupId, text, () => sentMs.push(nowMs() - sentAt));
    }
    const sustainedMs = await Promise.all(sustained);
    const receivers = process.cpuUsage(receiversBefore);
    const receiversShare = (receivers.user + receivers.system) / 1000 / (nowMs() - started);
    const firsts = summarize(arrivals.firsts);
    ownLoop.disable();
    const serverLoop = await server.loopDelay();
    notes.push(`event-loop delay p99 / max during it: server ${fmtMs(serverLoop.p99Ms)} / ${fmtMs(serverLoop.maxMs)}, receivers ${fmtMs(ownLoop.percentile(99) / 1e6)} / ${fmtMs(ownLoop.max / 1e6)}`);
    const sents = summarize(sentMs);
    notes.push(
      `${threshold === NEVER ? 'write' : 'read'} diffusion, ${RATE_PER_SECOND} msg/s: the receiving members' process (this one) used ${(100 * receiversShare).toFixed(0)}% of a core; ` +
        `SENT after ${fmtMs(sents.medianMs)} (p99 ${fmtMs(sents.p99Ms)}), first member had it after ${fmtMs(firsts.medianMs)} (p99 ${fmtMs(firsts.p99Ms)})`,
    );
    // the last confirms arrive a while after the last push
    await sleep(CONFIRMS_DRAINED_MS);
    await pingPong(owner);
    const cpuMs = ((await server.stats()).cpuMicros - cpuBefore) / 1000;
    lost += sustainedMs.filter((ms) => Number.isNaN(ms)).length;
    if (lost > 0) notes.push(`${threshold === NEVER ? 'write' : 'read'} diffusion: ${lost} messages did not reach every member within 30 s`);
    return {
      offlineCpu: summarize(offlineCpu),
      serialAll: summarize(serialAll),
      serialCpu: summarize(serialCpu),
      serialSystemCpu: summarize(serialSystemCpu),
      sustainedAll: summarize(sustainedMs.filter((ms) => !Number.isNaN(ms))),
      sustainedCpuPerMessageMs: cpuMs / total,
      sustainedSent: total,
      lost,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
}

interface CatchUp {
  readonly ms: number;
  readonly inboxEntries: number;
  readonly timelineEntries: number;
  readonly requests: number;
  readonly setupSeconds: number;
}

/** Pulls the inbox after `after` and then every timeline to the end, confirming; counts what came. */
async function pullEverything(client: WireClient, after: bigint, cursors: Map<string, bigint>): Promise<{ inbox: number; timeline: number; requests: number; last: bigint }> {
  let inbox = 0;
  let timeline = 0;
  let requests = 0;
  let last = after;
  for (;;) {
    const page = await client.ask('SYNC', { afterSeq: last, limit: 200 });
    requests++;
    if (page.name !== 'SYNC_PAGE') throw new Error('SYNC failed');
    inbox += page.body.entries.length;
    if (page.body.entries.length > 0) last = page.body.entries.at(-1)!.seq;
    client.fire('CONFIRM', { seq: last });
    if (!page.body.more) break;
  }
  for (;;) {
    const page = await client.ask('TIMELINE_SYNC', { cursors: [...cursors].map(([groupId, seq]) => ({ groupId, seq })), limit: 200 });
    requests++;
    if (page.name !== 'TIMELINE_PAGE') throw new Error('TIMELINE_SYNC failed');
    for (const slice of page.body.slices) {
      timeline += slice.entries.length;
      cursors.set(slice.groupId, slice.more ? slice.entries.at(-1)!.seq : slice.maxSeq);
    }
    client.fire('TIMELINE_CONFIRM', { cursors: page.body.slices.map((s) => ({ groupId: s.groupId, seq: cursors.get(s.groupId)! })) });
    if (!page.body.more) break;
  }
  return { inbox, timeline, requests, last };
}

async function catchUp(): Promise<CatchUp> {
  const threshold = readThreshold(CATCH_UP_MEMBERS);
  const server: BenchServer = await forkMagpieServer(threshold === undefined ? {} : { tuning: { groupTimelineThreshold: threshold } });
  try {
    const setupStarted = nowMs();
    const owner = await WireClient.login(server.port, server.appId, server.appToken, 'owner');
    // the user is among the first members of every group; the others never log in
    const ids = ['reader', ...Array.from({ length: CATCH_UP_MEMBERS - 2 }, (_, i) => `m${i}`)];
    const groups: string[] = [];
    for (let g = 0; g < CATCH_UP_GROUPS; g++) groups.push(await createGroup(owner, ids));
    // before: the user is up to date, then goes offline for the day
    const before = await WireClient.login(server.port, server.appId, server.appToken, 'reader');
    const cursors = new Map<string, bigint>();
    const { last } = await pullEverything(before, 0n, cursors);
    await before.close();
    // the day: every group gets its messages, a few mention the user
    let n = 0;
    const sends: Promise<unknown>[] = [];
    for (let m = 0; m < CATCH_UP_MESSAGES_PER_GROUP; m++) {
      for (const groupId of groups) {
        n++;
        sends.push(new Promise((resolve) => owner.fire('SEND', { clientMsgId: clientId(n), to: groupId, text: `day ${m} in ${groupId}`, ...(n % 100 === 0 ? { mentions: ['reader'] } : {}) }, resolve)));
        if (sends.length >= 500) await Promise.all(sends.splice(0));
      }
    }
    await Promise.all(sends);
    const setupSeconds = (nowMs() - setupStarted) / 1000;
    await owner.close();

    const started = nowMs();
    const reader = await WireClient.login(server.port, server.appId, server.appToken, 'reader');
    const pulled = await pullEverything(reader, last, cursors);
    const ms = nowMs() - started;
    await reader.close();
    return { ms, inboxEntries: pulled.inbox, timelineEntries: pulled.timeline, requests: pulled.requests, setupSeconds };
  } finally {
    await server.stop();
  }
}

function clientId(n: number): Uint8Array {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, n);
  bytes[0] = 0xbe;
  return bytes;
}

async function main(): Promise<void> {
  const notes: string[] = [];
  // each member is one socket here and one in the server: room for both plus slack
  const limit = raiseOpenFileLimit(2 * WANTED_MEMBERS + 512);
  let members = WANTED_MEMBERS;
  if (limit < 2 * WANTED_MEMBERS + 256) {
    members = Math.max(10, Math.floor((limit - 256) / 2));
    notes.push(`open-file limit ${limit} (could not raise it): ran with ${members} members instead of ${WANTED_MEMBERS}; raise it with ulimit -n or prlimit`);
  }
  const rows = (name: string, f: ModeFigures, targets: boolean) => [
    { measure: `${name}: no member online, server CPU per message, median`, magpie: fmtMs(f.offlineCpu.medianMs), peer: 'no peer' },
    { measure: `${name}: serial, all have it, median`, magpie: fmtMs(f.serialAll.medianMs), peer: 'no peer' },
    { measure: `${name}: serial, server CPU per message, median`, magpie: fmtMs(f.serialCpu.medianMs), peer: 'no peer', ...(targets ? { target: '< 5 ms', met: f.serialCpu.medianMs < 5 } : {}) },
    { measure: `${name}: serial, of which system (kernel) time, median`, magpie: fmtMs(f.serialSystemCpu.medianMs), peer: 'no peer' },
    { measure: `${name}: ${RATE_PER_SECOND} msg/s, all have it, median`, magpie: fmtMs(f.sustainedAll.medianMs), peer: 'no peer' },
    { measure: `${name}: ${RATE_PER_SECOND} msg/s, all have it, p99`, magpie: fmtMs(f.sustainedAll.p99Ms), peer: 'no peer', ...(targets ? { target: '< 200 ms', met: f.sustainedAll.p99Ms < 200 && f.lost === 0 } : {}) },
    { measure: `${name}: ${RATE_PER_SECOND} msg/s, server CPU per message (confirms included)`, magpie: fmtMs(f.sustainedCpuPerMessageMs), peer: 'no peer' },
  ];
  // each part is printed as soon as it is measured: the catch-up's setup is long
  if (part !== 'catch-up') await fanOuts(members, notes, rows);
  if (part !== 'fan-out') await catchUpTable();
}

async function fanOuts(members: number, notes: string[], rows: (name: string, f: ModeFigures, targets: boolean) => Parameters<typeof printTable>[1]): Promise<void> {
  const about = `serial: ${SERIAL_MESSAGES} messages, each into a quiet server; sustained: ${fmt(RATE_PER_SECOND * SUSTAINED_SECONDS)} messages at ${RATE_PER_SECOND}/s; members confirm ${fmt(CONFIRMS.confirmDelayMs)} ms (inbox) and ${fmt(CONFIRMS.timelineConfirmDelayMs)} ms (timeline) after a push, ${smoke ? 'a tenth of what the desktop client waits' : 'as the desktop client does'}`;
  if (mode !== 'read') {
    // the notes so far (the open-file limit) and this mode's own
    const writeNotes = [...notes];
    const write = await fanOut(members, NEVER, writeNotes);
    printTable(`Group fan-out, ${fmt(members)} members online, write diffusion${smoke ? ' [smoke]' : ''}`, rows('write diffusion', write, false), [about, ...writeNotes]);
  }
  if (mode === 'write') return;
  const read = await fanOut(members, readThreshold(members), notes);
  printTable(`Group fan-out, ${fmt(members)} members online, read diffusion${smoke ? ' [smoke]' : ''}`, rows('read diffusion', read, true), [about, ...notes]);
}

async function catchUpTable(): Promise<void> {
  const caught = await catchUp();
  printTable(`Catch-up of a user in ${CATCH_UP_GROUPS} read-diffused groups${smoke ? ' [smoke]' : ''}`, [
    {
      measure: `catch-up: ${CATCH_UP_GROUPS} groups of ${fmt(CATCH_UP_MEMBERS)}, ${fmt(caught.timelineEntries)} timeline + ${fmt(caught.inboxEntries)} inbox entries`,
      magpie: fmtMs(caught.ms),
      peer: 'no peer',
      target: '< 2 s',
      met: caught.ms < 2_000,
    },
  ], [
    `catch-up: ${CATCH_UP_MESSAGES_PER_GROUP} messages per group while the user was away (1 in 100 mentions it), pulled by a wire client (decoding, no client store) in ${caught.requests} requests; setup took ${fmt(caught.setupSeconds)} s`,
  ]);
}

await main();
