import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import type { Link } from '../../../../main/engine/link';
import { SyncEngine } from '../../../../main/engine/sync-engine';

/** The sync engine with an in-memory ledger and a link that answers SYNC from a list of entries. */
async function setup(serverEntries: pb.Entry[] = []) {
  const applied: number[] = [];
  let last = 0;
  const syncs: number[] = [];
  const link = {
    isOpen: true,
    request: (name: string, body: { afterSeq: bigint }) => {
      syncs.push(Number(body.afterSeq));
      const entries = serverEntries.filter((e) => e.seq > body.afterSeq);
      const maxSeq = serverEntries.reduce((m, e) => (e.seq > m ? e.seq : m), 0n);
      return Promise.resolve({ name, body: create(pb.SyncPageSchema, { entries, maxSeq, more: false }) });
    },
    fire: () => undefined,
  } as unknown as Link;
  const engine = new SyncEngine({
    ledger: {
      lastAppliedSeq: () => last,
      applyEntries: (entries, upTo) => {
        applied.push(...entries.map((e) => Number(e.seq)));
        last = upTo;
      },
      skipEntry: () => undefined,
    },
    pageEntries: 100,
    confirmDelayMs: 1_000,
    clock: { setTimeout: () => ({}) as never, clearTimeout: () => undefined },
    onTransient: () => undefined,
    onProgress: () => undefined,
    onError: (error) => {
      throw error;
    },
    retryDelayMs: 1_000,
  });
  engine.attach(link, { maxSeq: 0n, confirmedSeq: 0n });
  // the login's catch-up (nothing to fetch) is over before anything is sent
  await engine.idle();
  return { engine, applied, syncs };
}

const entry = (seq: number, text: string) =>
  create(pb.EntrySchema, { seq: BigInt(seq), item: { case: 'message', value: create(pb.MessageSchema, { text }) } });
const push = (e: pb.Entry) => ({ name: 'PUSH' as const, body: e });

describe('the SENT of one’s own message in the sync engine', () => {
  it('applies it when it is the next seq, so the reply after it needs no pull', async () => {
    const { engine, applied, syncs } = await setup();
    engine.handleSent(entry(1, 'mine'));
    engine.handlePush(push(entry(2, 'reply')));
    await engine.idle();
    expect(applied).toEqual([1, 2]);
    expect(syncs).toEqual([]);
  });

  it('fills the gap before a push that was queued first', async () => {
    const { engine, applied, syncs } = await setup();
    engine.handlePush(push(entry(2, 'reply')));
    engine.handleSent(entry(1, 'mine'));
    await engine.idle();
    expect(applied).toEqual([1, 2]);
    expect(syncs).toEqual([]);
  });

  it('pulls as for any gap when its seq is not the next one', async () => {
    const server = [entry(1, 'from another device'), entry(2, 'mine')];
    const { engine, applied, syncs } = await setup(server);
    engine.handleSent(server[1]!);
    await engine.idle();
    expect(syncs).toEqual([0]);
    expect(applied).toEqual([1, 2]);
  });

  it('ignores a transient send (seq 0)', async () => {
    const { engine, applied, syncs } = await setup();
    engine.handleSent(entry(0, 'transient'));
    await engine.idle();
    expect(applied).toEqual([]);
    expect(syncs).toEqual([]);
  });
});
