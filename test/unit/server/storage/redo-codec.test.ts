import { describe, expect, it } from 'vitest';
import { decodeRedoRecord, encodeRedoRecord, RedoEntryEncoder, type RedoEntry } from '../../../../server/storage/redo-codec';

/**
 * The commit window encodes each statement's arguments as it runs (RedoEntryEncoder); a record so
 * written must be byte for byte the record of the same entries given as values, which is what the
 * log held before, so a log written by either replays alike (docs/performance.md says so).
 */
describe('the redo record', () => {
  const entries: RedoEntry[] = [
    [1, ['app1', 'alice', 7, null, Buffer.from([1, 2, 3]), 12n, true]],
    [2, [['app1', 'bob', 3, 1, 5, 0, null, 'app1', 'alice', 4, 1, 5, 1, null]]],
    [1, [{ app: 'app1', seq: 9, body: new Uint8Array([9]), gone: undefined, ok: false }]],
  ];
  const defs = [[1, 'INSERT INTO t VALUES (?)'] as const, [2, 'INSERT INTO u VALUES (?)'] as const];

  it('is the same bytes whether its entries were encoded as they ran or given as values', () => {
    const encoder = new RedoEntryEncoder();
    for (const [id, args] of entries) encoder.add(id, args);
    const asRan = encodeRedoRecord({ window: 4, defs, entries: encoder }, 8);
    const asValues = encodeRedoRecord({ window: 4, defs, entries }, 8);
    expect(Buffer.compare(asRan, asValues)).toBe(0);
    expect(decodeRedoRecord(asRan.subarray(8)).entries).toHaveLength(3);
  });

  it('forgets the entries a rolled-back savepoint added, and nothing before them', () => {
    const encoder = new RedoEntryEncoder();
    encoder.add(...entries[0]!);
    const count = encoder.count;
    const mark = encoder.mark;
    encoder.add(...entries[1]!);
    encoder.cutTo(count, mark);
    encoder.add(...entries[2]!);
    const record = decodeRedoRecord(encodeRedoRecord({ window: 1, defs: [], entries: encoder }, 0));
    expect(record.entries.map(([id]) => id)).toEqual([1, 1]);
    expect(record.entries[1]![1]).toEqual([{ app: 'app1', seq: 9, body: Buffer.from([9]), gone: undefined, ok: false }]);
  });
});
