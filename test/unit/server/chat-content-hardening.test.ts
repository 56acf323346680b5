import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { CONTENT_LIMITS } from '../../../server/chat/content-limits';
import type { Caller } from '../../../server/handler-types';
import { APP, bodyOf, clientId, createChatFixture, makeGroup, syncAll, text, type ChatFixture } from './chat-fixture';

let f: ChatFixture;
afterEach(() => f.close());

const storedContentBytes = (): number =>
  (f.db.prepare('SELECT COALESCE(MAX(LENGTH(content)), 0) AS n FROM messages').get() as { n: number }).n;

/** A SEND whose part (field `partField` of Send) carries `unknownBytes` of a field the proto does not name. */
function sendWithUnknownField(part: 'media' | 'location' | 'custom', unknownBytes: number, n: number): pb.Send {
  const parts = {
    media: { field: 7, bytes: toBinary(pb.MediaSchema, create(pb.MediaSchema, { fileId: 'f1', name: 'a.png', size: 10n })), type: pb.MessageType.IMAGE },
    location: { field: 8, bytes: toBinary(pb.LocationSchema, create(pb.LocationSchema, { latitude: 1, longitude: 2, title: 'x' })), type: pb.MessageType.LOCATION },
    custom: { field: 9, bytes: toBinary(pb.CustomSchema, create(pb.CustomSchema, { command: 'cmd' })), type: pb.MessageType.CUSTOM },
  }[part];
  const padded = new BinaryWriter().raw(parts.bytes).tag(1000, WireType.LengthDelimited).bytes(new Uint8Array(unknownBytes)).finish();
  const head = toBinary(pb.SendSchema, create(pb.SendSchema, { clientMsgId: clientId(n), to: 'bob', type: parts.type }));
  const bytes = new BinaryWriter().raw(head).tag(parts.field, WireType.LengthDelimited).bytes(padded).finish();
  return fromBinary(pb.SendSchema, bytes);
}

describe('a message stores only the fields the protocol names', () => {
  for (const part of ['media', 'location', 'custom'] as const) {
    it(`drops unknown fields of its ${part} part instead of storing and delivering them`, async () => {
      f = createChatFixture();
      f.delivery.connect('bob', 'bob-1');
      const send = sendWithUnknownField(part, 512 * 1024, 1);
      bodyOf(await f.call('alice', 'SEND', send), 'SENT');
      expect(storedContentBytes()).toBeLessThan(1024);
      const [entry] = await syncAll(f, 'bob');
      expect(toBinary(pb.EntrySchema, entry!).length).toBeLessThan(1024);
      const [pushed] = f.delivery.take('bob');
      expect(toBinary(pb.EntrySchema, bodyOf(pushed, 'PUSH')).length).toBeLessThan(1024);
    });
  }

  it('accepts the largest message the limits allow, under the stored-size bound', async () => {
    f = createChatFixture();
    const big = {
      clientMsgId: clientId(1),
      to: 'bob',
      type: pb.MessageType.CUSTOM,
      // four UTF-8 bytes per character (a code point beyond the BMP): the most text can weigh
      text: '🐦'.repeat(CONTENT_LIMITS.maxTextChars),
      custom: { command: '鹊'.repeat(CONTENT_LIMITS.maxCommandChars), payload: new Uint8Array(CONTENT_LIMITS.maxCustomPayloadBytes) },
    };
    bodyOf(await f.call('alice', 'SEND', big), 'SENT');
    expect(storedContentBytes()).toBeLessThanOrEqual(CONTENT_LIMITS.maxStoredMessageBytes);
  });
});

describe('each sender has a budget of stored bytes over time', () => {
  const custom = (n: number) => ({
    clientMsgId: clientId(n),
    to: 'bob',
    type: pb.MessageType.CUSTOM,
    custom: { command: 'blob', payload: new Uint8Array(CONTENT_LIMITS.maxCustomPayloadBytes) },
  });

  it('refuses content past the budget with its own code, then refills it, and leaves others alone', async () => {
    f = createChatFixture({ contentBurstBytes: 100 * 1024, contentBytesPerSecond: 10 * 1024 });
    for (let n = 1; n <= 6; n += 1) bodyOf(await f.call('alice', 'SEND', custom(n)), 'SENT');
    await expect(f.call('alice', 'SEND', custom(7))).rejects.toMatchObject({ code: ErrorCode.CONTENT_BUDGET_EXCEEDED });
    // a resend of what is stored stores nothing: answered, not refused
    bodyOf(await f.call('alice', 'SEND', custom(6)), 'SENT');
    // another sender has a budget of their own
    bodyOf(await f.call('carol', 'SEND', custom(1)), 'SENT');
    f.clock.advance(2_000);
    bodyOf(await f.call('alice', 'SEND', custom(7)), 'SENT');
  });

  it('does not charge a resend, which stores nothing', async () => {
    f = createChatFixture({ contentBurstBytes: 100 * 1024, contentBytesPerSecond: 1 });
    for (let again = 0; again < 20; again += 1) bodyOf(await f.call('alice', 'SEND', custom(1)), 'SENT');
    for (let n = 2; n <= 6; n += 1) bodyOf(await f.call('alice', 'SEND', custom(n)), 'SENT');
  });

  it('does not charge transient messages, which are never stored', async () => {
    f = createChatFixture({ contentBurstBytes: 20 * 1024, contentBytesPerSecond: 1 });
    for (let n = 1; n <= 5; n += 1) {
      const transient = { ...custom(n), custom: { ...custom(n).custom, transient: true } };
      bodyOf(await f.call('alice', 'SEND', transient), 'SENT');
    }
    bodyOf(await f.call('alice', 'SEND', custom(9)), 'SENT');
  });
});

describe('read receipts come only from a conversation’s parties', () => {
  const sent = async (from: string, to: string, words: string, n: number): Promise<pb.Sent> =>
    bodyOf(await f.call(from, 'SEND', text(to, words, n)), 'SENT');

  it('refuses a READ from a stranger and puts nothing in the named user’s inbox', async () => {
    f = createChatFixture();
    const hi = await sent('alice', 'bob', 'hi', 1);
    const before = f.chat.inboxHead(APP, 'bob').maxSeq;
    await expect(f.call('mallory', 'READ', { conversation: 'bob', upToMsgId: hi.msgId })).rejects.toMatchObject({
      code: ErrorCode.NOT_IN_CONVERSATION,
    });
    await expect(f.call('mallory', 'READ', { conversation: 'bob', upToMsgId: 1n << 52n })).rejects.toMatchObject({
      code: ErrorCode.NOT_IN_CONVERSATION,
    });
    expect(f.chat.inboxHead(APP, 'bob').maxSeq).toBe(before);
    // the parties themselves still may, either way round
    await f.call('bob', 'READ', { conversation: 'alice', upToMsgId: hi.msgId });
    await f.call('alice', 'READ', { conversation: 'bob', upToMsgId: hi.msgId });
  });

  it('never sends the peer an id past the conversation’s own messages', async () => {
    f = createChatFixture();
    const hi = await sent('alice', 'bob', 'hi', 1);
    await sent('carol', 'dave', 'elsewhere', 1);
    // a mark past every message used to be cut to the server's newest id and sent to the peer
    await expect(f.call('bob', 'READ', { conversation: 'alice', upToMsgId: hi.msgId + 1_000_000n })).rejects.toMatchObject({
      code: ErrorCode.NOT_IN_CONVERSATION,
    });
    const receipts = (await syncAll(f, 'alice')).filter((e) => e.item.case === 'read');
    expect(receipts).toEqual([]);
  });

  it('refuses a group READ naming a message of another conversation', async () => {
    f = createChatFixture();
    const groupId = await makeGroup(f, 'alice', ['bob']);
    const inGroup = await sent('alice', groupId, 'team', 1);
    const private_ = await sent('carol', 'dave', 'secret', 1);
    await f.call('bob', 'READ', { conversation: groupId, upToMsgId: inGroup.msgId });
    await expect(f.call('bob', 'READ', { conversation: groupId, upToMsgId: private_.msgId })).rejects.toMatchObject({
      code: ErrorCode.NOT_IN_CONVERSATION,
    });
  });
});

describe('message ids do not count the server’s messages', () => {
  /** The gap between two of alice's ids one second apart, with `between` messages of another app in that second. */
  async function gapWith(between: number): Promise<bigint> {
    f = createChatFixture();
    f.db.prepare("INSERT INTO apps (app_id, account_sid, name, app_token_sealed, state, created_ms) VALUES ('app2', 'acc', 'other', 'x', 'online', 0)").run();
    const other: Caller = { sessionId: 's', appId: 'app2', userId: 'carol', device: 0, deviceId: 's' };
    const first = bodyOf(await f.call('alice', 'SEND', text('bob', 'one', 1)), 'SENT');
    for (let n = 0; n < between; n += 1) await f.call(other, 'SEND', text('dave', 'busy', 100 + n));
    f.clock.advance(1_000);
    const second = bodyOf(await f.call('alice', 'SEND', text('bob', 'two', 2)), 'SENT');
    f.close();
    return second.msgId - first.msgId;
  }

  it('gives the same gap whether another app stored nothing or a hundred messages in between', async () => {
    const quiet = await gapWith(0);
    const busy = await gapWith(100);
    for (const gap of [quiet, busy]) {
      expect(gap).toBeGreaterThan(1_000n * 1024n - 64n);
      expect(gap).toBeLessThan(1_000n * 1024n + 64n);
    }
    f = createChatFixture();
  });
});

describe('sync pages fit the client’s limits', () => {
  it('withholds the content of a message stored too large, and the page still goes on', async () => {
    f = createChatFixture();
    const huge = bodyOf(await f.call('alice', 'SEND', text('bob', 'soon huge', 1)), 'SENT');
    await f.call('alice', 'SEND', text('bob', 'after it', 2));
    // as main stored it before content was bounded: a megabyte of content in one row
    const content = toBinary(pb.MessageSchema, create(pb.MessageSchema, { type: pb.MessageType.CUSTOM, custom: { command: 'x', payload: new Uint8Array(1024 * 1024) } }));
    f.db.prepare('UPDATE messages SET content = ?, type = ? WHERE msg_id = ?').run(content, pb.MessageType.CUSTOM, Number(huge.msgId));
    const reply = await f.call('bob', 'SYNC', { afterSeq: 0n, limit: 100 });
    const page = bodyOf(reply, 'SYNC_PAGE');
    expect(toBinary(pb.SyncPageSchema, page).length).toBeLessThan(4 * 1024);
    const [first, second] = page.entries.map((e) => e.item.value as pb.Message);
    expect(first).toMatchObject({ msgId: huge.msgId, from: 'alice', type: pb.MessageType.CUSTOM, withheld: true, text: '' });
    expect(first!.custom).toBeUndefined();
    expect(second).toMatchObject({ text: 'after it', withheld: false });
  });

  it('cuts pages of large messages by their encoded size', async () => {
    f = createChatFixture();
    const payload = new Uint8Array(CONTENT_LIMITS.maxCustomPayloadBytes);
    for (let n = 1; n <= 30; n += 1) {
      const body = { clientMsgId: clientId(n), to: 'bob', type: pb.MessageType.CUSTOM, text: '鹊'.repeat(5_000), custom: { command: 'c', payload } };
      bodyOf(await f.call('alice', 'SEND', body), 'SENT');
    }
    let after = 0n;
    let pages = 0;
    for (;;) {
      const page = bodyOf(await f.call('bob', 'SYNC', { afterSeq: after, limit: 200 }), 'SYNC_PAGE');
      expect(toBinary(pb.SyncPageSchema, page).length).toBeLessThanOrEqual(192 * 1024);
      pages += 1;
      after = page.entries.at(-1)!.seq;
      if (!page.more) break;
    }
    expect(after).toBe(30n);
    expect(pages).toBeGreaterThan(1);
  });
});
