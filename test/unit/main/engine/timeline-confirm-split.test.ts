import { describe, expect, it } from 'vitest';
import { MAX_TIMELINE_CONFIRM_CURSORS } from '../../../../protocol';
import type { Link } from '../../../../main/engine/link';
import { TimelineSync } from '../../../../main/engine/timeline-sync';

/** The server takes at most MAX_TIMELINE_CONFIRM_CURSORS per TIMELINE_CONFIRM: a client in more large groups splits. */
describe('TimelineSync confirms', () => {
  it('sends the cursors of many timelines in frames of at most the cap, each cursor once', async () => {
    const cursors = new Map<string, number>();
    for (let i = 0; i < 600; i++) cursors.set(`g${String(i).padStart(16, '0')}`, i + 1);
    const fired: { groupId: string; seq: bigint }[][] = [];
    const link = {
      serverMinor: 1,
      request: () => Promise.resolve({ body: { slices: [], more: false } }),
      fire: (_name: string, body: { cursors: { groupId: string; seq: bigint }[] }) => fired.push(body.cursors),
    } as unknown as Link;
    const sync = new TimelineSync({
      ledger: { cursors: () => cursors, cursorOf: (g) => cursors.get(g) ?? 0, applyTimelines: () => undefined },
      pageEntries: 200,
      confirmDelayMs: 10,
      clock: { setTimeout: () => 0 as never, clearTimeout: () => undefined },
    });
    sync.attach(link);
    await sync.pull();
    expect(fired.map((f) => f.length)).toEqual([MAX_TIMELINE_CONFIRM_CURSORS, MAX_TIMELINE_CONFIRM_CURSORS, 600 - 2 * MAX_TIMELINE_CONFIRM_CURSORS]);
    expect(new Set(fired.flat().map((c) => c.groupId)).size).toBe(600);
  });
});
