import { afterEach, describe, expect, it } from 'vitest';
import { type pb } from '../../../protocol';
import { openChatWorld, textBody, type ChatWorld } from './chat-fixture';

/** The 10,000 sends go out at once: the per-connection request rate is not what is tested here. */
const FAST = { tuning: { requestsPerSecond: 1_000_000, requestBurst: 1_000_000 } };

let world: ChatWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('sync over many messages', () => {
  it('an offline user catches up in order over 10,000 messages, page by page', async () => {
    world = await openChatWorld(FAST);
    const alice = await world.login('alice01');
    const total = 10_000;
    const receipts = await Promise.all(
      Array.from({ length: total }, (_, i) => alice.client.ask('SEND', textBody('bob01', `message ${i + 1}`, i + 1), 'SENT')),
    );
    expect(new Set(receipts.map((r) => r.msgId)).size).toBe(total);

    const bob = await world.login('bob01');
    expect(bob.login.maxSeq).toBe(BigInt(total));
    let after = 0n;
    let pages = 0;
    const texts: string[] = [];
    for (;;) {
      const page = await bob.client.ask('SYNC', { afterSeq: after, limit: 200 }, 'SYNC_PAGE');
      pages++;
      for (const entry of page.entries) {
        expect(entry.seq).toBe(after + 1n);
        after = entry.seq;
        texts.push((entry.item.value as pb.Message).text);
      }
      if (!page.more) break;
    }
    expect(pages).toBe(total / 200);
    // per-conversation order is the send order
    expect(texts).toEqual(receipts.map((_, i) => `message ${i + 1}`));
    await bob.client.ask('CONFIRM', { seq: after }, 'OK');
    await bob.close();
    const again = await world.login('bob01');
    expect(again.login).toMatchObject({ maxSeq: BigInt(total), confirmedSeq: BigInt(total) });
    // each send is its own committed transaction: give a loaded two-core machine room
  }, 120_000);

  it('a server restart keeps messages, inboxes and confirmed seqs', async () => {
    world = await openChatWorld();
    const alice = await world.login('alice01');
    for (let i = 1; i <= 5; i++) await alice.text('bob01', `before restart ${i}`, i);
    const bob = await world.login('bob01');
    await bob.client.ask('CONFIRM', { seq: 2n }, 'OK');
    await alice.close();
    await bob.close();
    const dataDir = world.server.dataDir;
    await world.server.stop({ keepData: true });

    world = await openChatWorld({ dataDir });
    const back = await world.login('bob01');
    expect(back.login).toMatchObject({ maxSeq: 5n, confirmedSeq: 2n });
    const rest = await back.syncAll(2n);
    expect(rest.map((e) => (e.item.value as pb.Message).text)).toEqual(['before restart 3', 'before restart 4', 'before restart 5']);
    const aliceAgain = await world.login('alice01');
    // the resend after a restart is still recognised
    expect((await aliceAgain.text('bob01', 'before restart 5', 5)).seq).toBe(5n);
  });
});
