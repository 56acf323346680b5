import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../../protocol';
import type { Link } from '../../../../main/engine/link';
import { SyncEngine } from '../../../../main/engine/sync-engine';

/**
 * A timeline pull that fails on a link still up (a timeout) is tried again after retryDelayMs, like
 * the inbox's: a quiet large group must not wait for its next message to fill what was missed.
 */
describe('a failed timeline pull', () => {
  it('is pulled again after the retry delay, without a new push or login', async () => {
    const timers: (() => void)[] = [];
    const requests: string[] = [];
    let failTimelines = 1;
    const groupEntry = create(pb.EntrySchema, { seq: 1n, groupId: 'gbig', item: { case: 'message', value: create(pb.MessageSchema, { text: 'hi' }) } });
    const link = {
      isOpen: true,
      serverMinor: 1,
      request: (name: string) => {
        requests.push(name);
        if (name === 'SYNC') return Promise.resolve({ name, body: create(pb.SyncPageSchema, { entries: [], maxSeq: 0n, more: false }) });
        if (failTimelines-- > 0) return Promise.reject(new MagpieError(ErrorCode.REQUEST_TIMEOUT, 'no answer in time'));
        return Promise.resolve({
          name,
          body: create(pb.TimelinePageSchema, { slices: [{ groupId: 'gbig', entries: [groupEntry], maxSeq: 1n, more: false }], more: false }),
        });
      },
      fire: () => undefined,
    } as unknown as Link;
    const cursors = new Map<string, number>();
    const errors: unknown[] = [];
    const engine = new SyncEngine({
      ledger: { lastAppliedSeq: () => 0, applyEntries: () => undefined, skipEntry: () => undefined },
      timelines: {
        cursors: () => cursors,
        cursorOf: (g) => cursors.get(g) ?? 0,
        applyTimeline: (g, _entries, upTo) => void cursors.set(g, upTo),
      },
      pageEntries: 100,
      confirmDelayMs: 1_000,
      clock: { setTimeout: (run: () => void) => (timers.push(run), timers.length) as never, clearTimeout: () => undefined },
      onTransient: () => undefined,
      onProgress: () => undefined,
      onError: (error) => errors.push(error),
      retryDelayMs: 1_000,
    });
    engine.attach(link, { maxSeq: 0n, confirmedSeq: 0n });
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
