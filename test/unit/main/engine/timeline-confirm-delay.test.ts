import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import type { Link } from '../../../../main/engine/link';
import { SyncEngine } from '../../../../main/engine/sync-engine';
import { desktopTuning } from '../../../../main/engine/tuning';

const text = (value: string) => ({ case: 'message' as const, value: create(pb.MessageSchema, { text: value }) });

/**
 * Pushed entries are confirmed after their own delays: the inbox's after confirmDelayMs, a large
 * group's timeline after timelineConfirmDelayMs (longer on the desktop: every member of a busy
 * large group confirms, and nothing on the server waits on a timeline confirm).
 */
describe('confirms of pushed entries', () => {
  it('wait confirmDelayMs for the inbox and timelineConfirmDelayMs for a timeline', async () => {
    const timers: { delayMs: number; run: () => void }[] = [];
    const fired: string[] = [];
    const inbox = { last: 0 };
    const cursors = new Map<string, number>();
    const link = {
      isOpen: true,
      serverMinor: 1,
      request: async (name: string) =>
        name === 'SYNC'
          ? { name, body: create(pb.SyncPageSchema, { entries: [], maxSeq: BigInt(inbox.last), more: false }) }
          : { name, body: create(pb.TimelinePageSchema, { slices: [], more: false }) },
      fire: (name: string) => fired.push(name),
    } as unknown as Link;
    const engine = new SyncEngine({
      ledger: { lastAppliedSeq: () => inbox.last, applyEntries: (entries) => void (inbox.last = Number(entries.at(-1)!.seq)), skipEntry: () => undefined },
      timelines: { cursors: () => cursors, cursorOf: (g) => cursors.get(g) ?? 0, applyTimelines: (slices) => slices.forEach((s) => cursors.set(s.groupId, s.upToSeq)) },
      pageEntries: 100,
      confirmDelayMs: desktopTuning.confirmDelayMs,
      timelineConfirmDelayMs: desktopTuning.timelineConfirmDelayMs,
      clock: { setTimeout: (run: () => void, delayMs: number) => (timers.push({ delayMs, run }), timers.length) as never, clearTimeout: () => undefined },
      onTransient: () => undefined,
      onProgress: () => undefined,
      onError: (error) => {
        throw error;
      },
      retryDelayMs: 1_000,
    });
    engine.attach(link, { maxSeq: 0n, confirmedSeq: 0n });
    await engine.idle();

    engine.handlePush({ name: 'PUSH', body: create(pb.EntrySchema, { seq: 1n, item: text('to me') }) });
    engine.handlePush({ name: 'PUSH', body: create(pb.EntrySchema, { seq: 1n, groupId: 'gbig', item: text('to the group') }) });
    await engine.idle();
    expect(inbox.last).toBe(1);
    expect(cursors.get('gbig')).toBe(1);
    expect(timers.map((t) => t.delayMs).sort((a, b) => a - b)).toEqual([200, 2_000]);

    for (const timer of timers.splice(0).sort((a, b) => a.delayMs - b.delayMs)) timer.run();
    expect(fired).toEqual(['CONFIRM', 'TIMELINE_CONFIRM']);
  });
});
