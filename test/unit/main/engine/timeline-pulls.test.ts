import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../../protocol';
import type { Link } from '../../../../main/engine/link';
import { SyncEngine } from '../../../../main/engine/sync-engine';

const groupEntry = create(pb.EntrySchema, { seq: 1n, groupId: 'gbig', item: { case: 'message', value: create(pb.MessageSchema, { text: 'hi' }) } });

/**
 * A sync engine with nothing in its inbox and one large group, gbig, whose timeline holds one entry;
 * `timeline()` answers each TIMELINE_SYNC (the slices, or a failure). Timers wait in `timers`.
 */
function setup(timeline: () => Promise<pb.TimelineSlice[]>) {
  const timers: (() => void)[] = [];
  const requests: string[] = [];
  const errors: unknown[] = [];
  const cursors = new Map<string, number>();
  const link = {
    isOpen: true,
    serverMinor: 1,
    request: async (name: string) => {
      requests.push(name);
      if (name === 'SYNC') return { name, body: create(pb.SyncPageSchema, { entries: [], maxSeq: 0n, more: false }) };
      return { name, body: create(pb.TimelinePageSchema, { slices: await timeline(), more: false }) };
    },
    fire: () => undefined,
  } as unknown as Link;
  const engine = new SyncEngine({
    ledger: { lastAppliedSeq: () => 0, applyEntries: () => undefined, skipEntry: () => undefined },
    timelines: { cursors: () => cursors, cursorOf: (g) => cursors.get(g) ?? 0, applyTimelines: (slices) => slices.forEach((s) => cursors.set(s.groupId, s.upToSeq)) },
    pageEntries: 100,
    confirmDelayMs: 1_000,
    clock: { setTimeout: (run: () => void) => (timers.push(run), timers.length) as never, clearTimeout: () => undefined },
    onTransient: () => undefined,
    onProgress: () => undefined,
    onError: (error) => errors.push(error),
    retryDelayMs: 1_000,
  });
  engine.attach(link, { maxSeq: 0n, confirmedSeq: 0n });
  return { engine, timers, requests, errors, cursors };
}

const withEntry = (): pb.TimelineSlice[] => [create(pb.TimelineSliceSchema, { groupId: 'gbig', entries: [groupEntry], maxSeq: 1n, more: false })];

/**
 * A timeline pull that fails on a link still up (a timeout) is tried again after retryDelayMs, like
 * the inbox's: a quiet large group must not wait for its next message to fill what was missed.
 */
describe('a failed timeline pull', () => {
  it('is pulled again after the retry delay, without a new push or login', async () => {
    let failures = 1;
    const { engine, timers, requests, errors, cursors } = setup(() =>
      failures-- > 0 ? Promise.reject(new MagpieError(ErrorCode.REQUEST_TIMEOUT, 'no answer in time')) : Promise.resolve(withEntry()),
    );
    await engine.idle();
    expect(errors).toHaveLength(1);
    expect(cursors.get('gbig')).toBeUndefined();
    // the retry timer fires: the inbox (caught up: no request) and then the timelines are pulled again
    timers.shift()!();
    await engine.idle();
    expect(cursors.get('gbig')).toBe(1);
    expect(requests).toEqual(['TIMELINE_SYNC', 'TIMELINE_SYNC']);
  });
});

describe('a NOTIFY', () => {
  it('pulls the timelines too: a cluster node sends it when routed pushes (of the inbox or a timeline) may be lost', async () => {
    let timelineHasEntry = false;
    const { engine, requests, errors, cursors } = setup(() => Promise.resolve(timelineHasEntry ? withEntry() : []));
    await engine.idle();
    // the group's push was lost on the way; the node's NOTIFY names the unchanged inbox head
    timelineHasEntry = true;
    engine.handlePush({ name: 'NOTIFY', body: create(pb.NotifySchema, { maxSeq: 0n }) });
    await engine.idle();
    expect(errors).toEqual([]);
    expect(cursors.get('gbig')).toBe(1);
    expect(requests).toEqual(['TIMELINE_SYNC', 'TIMELINE_SYNC']);
  });
});
