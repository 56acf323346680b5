import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import type { Link } from '../../../../main/engine/link';
import { SyncEngine } from '../../../../main/engine/sync-engine';

const GROUP = 'g0000000000000001';

/**
 * The sync engine with in-memory ledgers and a 2.1 link whose server holds one large group's
 * timeline: what SENT's timeline_seq changes in the order entries are applied, and when it pulls.
 */
async function setup() {
  /** The server's timeline: filled by each test after the login's pull. */
  const timeline: pb.Entry[] = [];
  let inboxLast = 0;
  const cursors = new Map<string, number>();
  const applied: number[] = [];
  const timelineSyncs: number[] = [];
  const errors: unknown[] = [];
  const link = {
    isOpen: true,
    serverMinor: 1,
    request: (name: string, body: { cursors?: { groupId: string; seq: bigint }[] }) => {
      if (name === 'SYNC') return Promise.resolve({ name, body: create(pb.SyncPageSchema, { entries: [], maxSeq: 0n, more: false }) });
      const after = Number(body.cursors?.find((c) => c.groupId === GROUP)?.seq ?? 0n);
      timelineSyncs.push(after);
      const entries = timeline.filter((e) => Number(e.seq) > after);
      const maxSeq = BigInt(timeline.length);
      const slices = entries.length > 0 ? [{ groupId: GROUP, entries, maxSeq, more: false }] : [];
      return Promise.resolve({ name, body: create(pb.TimelinePageSchema, { slices, more: false }) });
    },
    fire: () => undefined,
  } as unknown as Link;
  const engine = new SyncEngine({
    ledger: {
      lastAppliedSeq: () => inboxLast,
      applyEntries: (_entries, upTo) => {
        inboxLast = upTo;
      },
      skipEntry: () => undefined,
    },
    timelines: {
      cursors: () => cursors,
      cursorOf: (groupId) => cursors.get(groupId) ?? 0,
      applyTimelines: (slices) => {
        for (const slice of slices) {
          const cursor = cursors.get(slice.groupId) ?? 0;
          // applying twice would change nothing in the store; here it would show
          applied.push(...slice.entries.map((e) => Number(e.seq)).filter((seq) => seq > cursor));
          cursors.set(slice.groupId, Math.max(cursor, slice.upToSeq));
        }
      },
    },
    pageEntries: 100,
    confirmDelayMs: 1_000,
    clock: { setTimeout: () => ({}) as never, clearTimeout: () => undefined },
    onTransient: () => undefined,
    onProgress: () => undefined,
    onError: (error) => errors.push(error),
    retryDelayMs: 1_000,
  });
  engine.attach(link, { maxSeq: 0n, confirmedSeq: 0n });
  // the login's catch-up (nothing to fetch) is over before anything is sent
  await engine.idle();
  timelineSyncs.length = 0;
  let inboxSeq = 0;
  /** One's own message's SENT: the next inbox seq, and the timeline seq given (0: none said). */
  const sent = (timelineSeq: number, text = 'mine') => {
    inboxSeq += 1;
    const message = create(pb.MessageSchema, { msgId: BigInt(1000 + timelineSeq), to: GROUP, text });
    engine.handleSent(create(pb.EntrySchema, { seq: BigInt(inboxSeq), item: { case: 'message', value: message } }), timelineSeq);
  };
  return { engine, applied, timelineSyncs, cursors, sent, errors, timeline };
}

const entry = (seq: number, text = 'theirs') =>
  create(pb.EntrySchema, { seq: BigInt(seq), groupId: GROUP, item: { case: 'message', value: create(pb.MessageSchema, { msgId: BigInt(1000 + seq), to: GROUP, text }) } });
const push = (e: pb.Entry) => ({ name: 'PUSH' as const, body: e });

describe('SENT’s timeline seq in the sync engine', () => {
  it('applies one’s own entry when it is the next, so the reply after it needs no pull', async () => {
    const { engine, applied, timelineSyncs, cursors, sent } = await setup();
    sent(1);
    await engine.idle();
    expect(cursors.get(GROUP)).toBe(1);
    engine.handlePush(push(entry(2)));
    await engine.idle();
    expect(applied).toEqual([1, 2]);
    expect(timelineSyncs).toEqual([]);
  });

  it('holds it behind others’ entries still on their way, and applies it with the push that fills the gap', async () => {
    const { engine, applied, timelineSyncs, cursors, sent } = await setup();
    // the group's pushes are coalesced: SENT can come before the entries committed ahead of it
    sent(2);
    sent(3);
    await engine.idle();
    expect(cursors.get(GROUP) ?? 0).toBe(0);
    engine.handlePush(push(entry(1)));
    await engine.idle();
    expect(applied).toEqual([1, 2, 3]);
    engine.handlePush(push(entry(4)));
    await engine.idle();
    expect(applied).toEqual([1, 2, 3, 4]);
    expect(timelineSyncs).toEqual([]);
  });

  it('stores nothing twice when a pull brought one’s own entry first', async () => {
    const { engine, applied, timelineSyncs, sent, errors, timeline } = await setup();
    timeline.push(entry(1), entry(2, 'mine'), entry(3));
    engine.handlePush(push(entry(3)));
    sent(2);
    await engine.idle();
    expect(errors).toEqual([]);
    expect(timelineSyncs).toEqual([0]);
    expect(applied).toEqual([1, 2, 3]);
  });

  it('a gap no push of its own fills (a timeline new here) is pulled by the next push, as before', async () => {
    const { engine, applied, timelineSyncs, sent, errors, timeline } = await setup();
    timeline.push(entry(1), entry(2), entry(3), entry(4, 'mine'), entry(5));
    sent(4);
    await engine.idle();
    expect(timelineSyncs).toEqual([]);
    engine.handlePush(push(entry(5)));
    await engine.idle();
    expect(errors).toEqual([]);
    expect(timelineSyncs).toEqual([0]);
    expect(applied).toEqual([1, 2, 3, 4, 5]);
  });

  it('without a timeline seq (an older server) the next push is a gap and pulls', async () => {
    const { engine, applied, timelineSyncs, sent, errors, timeline } = await setup();
    timeline.push(entry(1, 'mine'), entry(2));
    sent(0);
    engine.handlePush(push(entry(2)));
    await engine.idle();
    expect(errors).toEqual([]);
    expect(timelineSyncs).toEqual([0]);
    expect(applied).toEqual([1, 2]);
  });
});
