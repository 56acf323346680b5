import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import type { ClientStore, ListenItemRef } from '../../../../main/store';
import { messageEntry, noticeEntry, openTempStore } from './inbox-entries';

const opened: ReturnType<typeof openTempStore>[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.dispose()));
});
function tempStore(): ReturnType<typeof openTempStore> {
  const s = openTempStore('alice');
  opened.push(s);
  return s;
}

const T0 = 1_700_000_000_000;
/** The unprinted, oldest first by time, as message texts and notice seqs. */
function unprinted(store: ClientStore, limit = 100): string[] {
  const { messages, notices } = store.listenCursor.unprinted('oldest', limit);
  return [...messages.map((m) => ({ t: m.timeMs, s: m.text })), ...notices.map((n) => ({ t: n.timeMs, s: `n${n.seq}` }))]
    .sort((a, b) => a.t - b.t)
    .map((x) => x.s);
}
const ref = (store: ClientStore, text: string): ListenItemRef => {
  const found = store.listenCursor.unprinted('oldest', 1_000).messages.find((m) => m.text === text);
  return { kind: 'm', id: found!.localId };
};

describe('the listen cursor (migration 0011)', () => {
  it('starts at what a synced profile stores; printed out of storage order, the mark waits for the unprinted below it', async () => {
    const s = tempStore();
    await s.store.ingest.ingestEntries([messageEntry(1, { msgId: 1, from: 'bob', to: 'alice', text: 'before' })]);
    expect(s.store.listenCursor.open(1)).toMatchObject({ historyPending: false });
    expect(unprinted(s.store)).toEqual([]);

    // stored in one order, stamped in another: printed by time
    await s.store.ingest.ingestEntries([
      messageEntry(2, { msgId: 2, from: 'bob', to: 'alice', text: 'late', timeMs: T0 + 30_000 }),
      messageEntry(3, { msgId: 3, from: 'carol', to: 'alice', text: 'early', timeMs: T0 + 10_000 }),
      noticeEntry(4, { kind: pb.NoticeKind.CREATE, groupId: 'gteam', actor: 'bob', targets: ['alice'] }),
      messageEntry(5, { msgId: 5, from: 'alice', to: 'bob', text: 'mine', timeMs: T0 + 15_000 }),
    ]);
    const noticeTime = s.store.listenCursor.unprinted('oldest', 10).notices[0]!.timeMs;
    expect(noticeTime).toBeLessThan(T0 + 10_000);
    expect(unprinted(s.store)).toEqual(['n4', 'early', 'late']);

    s.store.listenCursor.markPrinted([{ kind: 'n', id: 4 }], 2);
    s.store.listenCursor.markPrinted([ref(s.store, 'early')], 2);
    // 'late' was stored below 'early': the mark stays under it, 'early' is kept as printed above it
    const mark = s.store.listenCursor.get()!.messageMark;
    expect(mark).toBe(ref(s.store, 'late').id - 1);
    expect(s.store.db.prepare('SELECT kind, id FROM listen_printed').all()).toEqual([{ kind: 'm', id: ref(s.store, 'late').id + 1 }]);

    const again = s.reopen();
    expect(unprinted(again)).toEqual(['late']);
    again.listenCursor.markPrinted([ref(again, 'late')], 3);
    expect(unprinted(again)).toEqual([]);
    // all printed: the marks stand at the newest, and nothing is kept above them
    expect(again.db.prepare('SELECT count(*) FROM listen_printed').pluck().get()).toBe(0);
    expect(again.listenCursor.get()).toMatchObject({ messageMark: 3, noticeMark: 4 });
  });

  it('on a profile that never synced, the history cut keeps the newest N and passes over the rest for good', async () => {
    const s = tempStore();
    expect(s.store.listenCursor.open(1)).toMatchObject({ messageMark: 0, noticeMark: 0, historyPending: true });
    await s.store.ingest.ingestEntries([1, 2, 3, 4, 5].map((n) => messageEntry(n, { msgId: n, from: 'bob', to: 'alice', text: `h${n}` })));
    const newest = s.store.listenCursor.unprinted('newest', 2).messages;
    expect(newest.map((m) => m.text)).toEqual(['h5', 'h4']);
    s.store.listenCursor.passOver(
      newest.map((m) => ({ kind: 'm', id: m.localId })),
      2,
    );
    expect(s.store.listenCursor.get()).toMatchObject({ historyPending: false });
    expect(unprinted(s.store)).toEqual(['h4', 'h5']);
    await s.store.ingest.ingestEntries([messageEntry(6, { msgId: 6, from: 'bob', to: 'alice', text: 'news' })]);
    expect(unprinted(s.store)).toEqual(['h4', 'h5', 'news']);
  });

  it('a page from the oldest end takes every item tied at its cut, and reads the unprinted by the primary key from the mark', async () => {
    const s = tempStore();
    s.store.listenCursor.open(1);
    await s.store.ingest.ingestEntries([1, 2, 3, 4].map((n) => messageEntry(n, { msgId: n, from: 'bob', to: 'alice', text: `t${n}`, timeMs: T0 + (n === 1 ? 0 : 5) })));
    expect(s.store.listenCursor.unprinted('oldest', 2).messages.map((m) => m.text).sort()).toEqual(['t1', 't2', 't3', 't4']);
    const plan = s.store.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT * FROM messages WHERE local_id > 0 AND outgoing = 0 AND deleted = 0
          AND NOT EXISTS (SELECT 1 FROM listen_printed p WHERE p.kind = 'm' AND p.id = messages.local_id) ORDER BY time_ms LIMIT 5`,
      )
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH messages USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(plan).toMatch(/SEARCH p USING PRIMARY KEY \(kind=\? AND id=\?\)/);
  });
});
