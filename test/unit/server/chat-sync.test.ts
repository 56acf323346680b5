import { create } from '@bufbuild/protobuf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { APP, bodyOf, clientId, createChatFixture, syncAll, text, type ChatFixture } from './chat-fixture';

let f: ChatFixture;
beforeEach(() => {
  f = createChatFixture();
});
afterEach(() => f.close());

async function sendMany(n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await f.call('alice', 'SEND', text('bob', `m${i}`, i));
}

describe('sync by pages', () => {
  it('an offline user catches up in order, page by page', async () => {
    await sendMany(450);
    const first = bodyOf(await f.call('bob', 'SYNC', { afterSeq: 0n, limit: 200 }), 'SYNC_PAGE');
    expect(first.entries).toHaveLength(200);
    expect(first).toMatchObject({ maxSeq: 450n, more: true });
    const all = await syncAll(f, 'bob');
    expect(all.map((e) => Number(e.seq))).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(all.map((e) => (e.item.value as pb.Message).text)).toEqual(Array.from({ length: 450 }, (_, i) => `m${i + 1}`));
  });

  it('caps the page size at 200 and defaults to 100', async () => {
    await sendMany(250);
    expect(bodyOf(await f.call('bob', 'SYNC', { afterSeq: 0n, limit: 5000 }), 'SYNC_PAGE').entries).toHaveLength(200);
    expect(bodyOf(await f.call('bob', 'SYNC', { afterSeq: 0n }), 'SYNC_PAGE').entries).toHaveLength(100);
  });

  it('keeps a page of large messages within one frame', async () => {
    for (let i = 1; i <= 30; i++) {
      await f.call('alice', 'SEND', {
        clientMsgId: clientId(i),
        to: 'bob',
        type: pb.MessageType.CUSTOM,
        custom: { command: 'blob', payload: new Uint8Array(16 * 1024).fill(i) },
      });
    }
    const page = bodyOf(await f.call('bob', 'SYNC', { afterSeq: 0n, limit: 200 }), 'SYNC_PAGE');
    expect(page.entries.length).toBeLessThan(30);
    expect(page.more).toBe(true);
    expect(await syncAll(f, 'bob')).toHaveLength(30);
  });

  it('deflates a page of many entries', async () => {
    await sendMany(50);
    const body = create(pb.SyncSchema, { afterSeq: 0n, limit: 200 });
    const frame = await f.chat.handlers.SYNC!({ caller: f.caller('bob'), body, requestId: 1 });
    expect(frame?.compressed).toBe(true);
  });

  it('deflates SYNC_PAGE only: a PUSH far above the threshold goes out plain', async () => {
    f.delivery.connect('bob', 'bob-1');
    const long = 'a'.repeat(3000);
    await f.call('alice', 'SEND', text('bob', long, 1));
    expect(f.delivery.raw).toHaveLength(1);
    expect(f.delivery.raw[0]!.body.length).toBeGreaterThan(3000);
    expect(f.delivery.raw[0]!.compressed).toBe(false);
    const page = await f.chat.handlers.SYNC!({ caller: f.caller('bob'), body: create(pb.SyncSchema, { afterSeq: 0n }), requestId: 1 });
    expect(page?.compressed).toBe(true);
  });

  it('answers an empty page when caught up', async () => {
    await sendMany(3);
    const page = bodyOf(await f.call('bob', 'SYNC', { afterSeq: 3n }), 'SYNC_PAGE');
    expect(page).toMatchObject({ entries: [], maxSeq: 3n, more: false });
  });
});

describe('confirm', () => {
  it('stores the confirmed seq, only forward and never past the head', async () => {
    await sendMany(5);
    expect(await f.call('bob', 'CONFIRM', { seq: 3n })).toMatchObject({ name: 'OK' });
    expect(f.chat.inboxHead(APP, 'bob')).toEqual({ maxSeq: 5, confirmedSeq: 3 });
    await f.call('bob', 'CONFIRM', { seq: 2n });
    expect(f.chat.inboxHead(APP, 'bob').confirmedSeq).toBe(3);
    await f.call('bob', 'CONFIRM', { seq: 99n });
    expect(f.chat.inboxHead(APP, 'bob').confirmedSeq).toBe(5);
  });

  it('reports an empty inbox for a user never seen', () => {
    expect(f.chat.inboxHead(APP, 'nobody')).toEqual({ maxSeq: 0, confirmedSeq: 0 });
  });
});
