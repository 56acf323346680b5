import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { bodyOf, createChatFixture, makeGroup, syncAll, text, type ChatFixture } from './chat-fixture';

let f: ChatFixture;
beforeEach(() => {
  f = createChatFixture();
});
afterEach(() => f.close());

async function send(from: string, to: string, words: string, n: number, extra: object = {}): Promise<pb.Sent> {
  return bodyOf(await f.call(from, 'SEND', { ...text(to, words, n), ...extra }), 'SENT');
}

const items = async (user: string) => (await syncAll(f, user)).map((e) => e.item);

describe('revoke', () => {
  it('lets the sender revoke within the window and tells both sides', async () => {
    const sent = await send('alice', 'bob', 'oops', 1);
    f.clock.advance(60_000);
    expect(await f.call('alice', 'REVOKE', { msgId: sent.msgId })).toMatchObject({ name: 'OK' });
    const bobs = await items('bob');
    expect(bobs[0]).toMatchObject({ case: 'message', value: { text: '', msgId: sent.msgId } });
    expect(bobs[1]).toMatchObject({ case: 'revoked', value: { msgId: sent.msgId, by: 'alice', conversation: 'alice' } });
    expect((await items('alice'))[1]).toMatchObject({ case: 'revoked', value: { conversation: 'bob' } });
  });

  it('refuses the sender after the window and anyone else in 1:1', async () => {
    const sent = await send('alice', 'bob', 'too late', 1);
    await expect(f.call('bob', 'REVOKE', { msgId: sent.msgId })).rejects.toMatchObject({ code: ErrorCode.NOT_ALLOWED });
    f.clock.advance(120_001);
    await expect(f.call('alice', 'REVOKE', { msgId: sent.msgId })).rejects.toMatchObject({ code: ErrorCode.REVOKE_WINDOW_PASSED });
    await expect(f.call('alice', 'REVOKE', { msgId: 999n })).rejects.toMatchObject({ code: ErrorCode.MESSAGE_NOT_FOUND });
  });

  it('lets a group admin revoke a plain member’s message at any time, but not a plain member', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob', 'carol']);
    await f.call('alice', 'GROUP', { op: { case: 'setRole', value: { groupId, user: 'bob', role: pb.GroupRole.ADMIN } } });
    const sent = await send('carol', groupId, 'spam', 1);
    f.clock.advance(3_600_000);
    await expect(f.call('dave', 'REVOKE', { msgId: sent.msgId })).rejects.toMatchObject({ code: ErrorCode.NOT_ALLOWED });
    await f.call('bob', 'REVOKE', { msgId: sent.msgId });
    for (const user of ['alice', 'bob', 'carol']) {
      expect((await items(user)).at(-1)).toMatchObject({ case: 'revoked', value: { by: 'bob', conversation: groupId } });
    }
  });

  it('honours a configured window', async () => {
    f.close();
    f = createChatFixture({ revokeWindowMs: 10_000 });
    const sent = await send('alice', 'bob', 'x', 1);
    f.clock.advance(10_001);
    await expect(f.call('alice', 'REVOKE', { msgId: sent.msgId })).rejects.toMatchObject({ code: ErrorCode.REVOKE_WINDOW_PASSED });
  });
});

describe('read receipts', () => {
  it('gives the peer a receipt and the reader’s other devices one too, moving forward only', async () => {
    const first = await send('alice', 'bob', 'one', 1);
    const second = await send('alice', 'bob', 'two', 2);
    await f.call('bob', 'READ', { conversation: 'alice', upToMsgId: second.msgId });
    expect((await items('alice')).at(-1)).toMatchObject({ case: 'read', value: { reader: 'bob', conversation: 'bob', upToMsgId: second.msgId } });
    expect((await items('bob')).at(-1)).toMatchObject({ case: 'read', value: { reader: 'bob', conversation: 'alice' } });
    const before = f.chat.inboxHead('app0000000000000000000000000001', 'alice').maxSeq;
    await f.call('bob', 'READ', { conversation: 'alice', upToMsgId: first.msgId });
    expect(f.chat.inboxHead('app0000000000000000000000000001', 'alice').maxSeq).toBe(before);
  });

  it('tells the sender and admins who read a group message and who did not', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob', 'carol', 'dave']);
    const sent = await send('bob', groupId, 'lunch?', 1);
    await f.call('carol', 'READ', { conversation: groupId, upToMsgId: sent.msgId });
    const readers = bodyOf(await f.call('bob', 'READERS_QUERY', { msgId: sent.msgId }), 'READERS');
    expect(readers.read).toEqual(['carol']);
    expect([...readers.unread].sort()).toEqual(['alice', 'dave']);
    expect(bodyOf(await f.call('alice', 'READERS_QUERY', { msgId: sent.msgId }), 'READERS').read).toEqual(['carol']);
    await expect(f.call('dave', 'READERS_QUERY', { msgId: sent.msgId })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_ADMIN });
    await expect(f.call('zed', 'READERS_QUERY', { msgId: sent.msgId })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
  });

  it('refuses a group read by a non-member', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob']);
    await expect(f.call('zed', 'READ', { conversation: groupId, upToMsgId: 1n })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_MEMBER,
    });
  });
});

describe('burn after reading', () => {
  it('deletes the content when the recipient reads it and tells both sides', async () => {
    const secret = await send('alice', 'bob', 'self-destruct', 1, { burnAfterReading: true });
    await send('alice', 'bob', 'ordinary', 2);
    await f.call('bob', 'READ', { conversation: 'alice', upToMsgId: secret.msgId });
    const bobs = await items('bob');
    expect(bobs[0]).toMatchObject({ case: 'message', value: { text: '', burnAfterReading: true } });
    expect(bobs[1]).toMatchObject({ case: 'message', value: { text: 'ordinary' } });
    expect(bobs.filter((i) => i.case === 'burned')).toEqual([expect.objectContaining({ value: expect.objectContaining({ msgId: secret.msgId, conversation: 'alice' }) })]);
    expect((await items('alice')).filter((i) => i.case === 'burned')).toHaveLength(1);
    const stored = f.db.prepare('SELECT burned_ms FROM messages WHERE msg_id = ?').get(Number(secret.msgId)) as { burned_ms: number };
    expect(stored.burned_ms).toBe(f.clock.now());
  });

  it('does not burn on the sender’s own read', async () => {
    const secret = await send('alice', 'bob', 'mine', 1, { burnAfterReading: true });
    await f.call('alice', 'READ', { conversation: 'bob', upToMsgId: secret.msgId });
    expect((await items('bob'))[0]).toMatchObject({ value: { text: 'mine' } });
  });
});

describe('typing', () => {
  it('forwards typing to the peer’s online sessions with the sender set, never storing it', async () => {
    f.delivery.connect('bob', 'bob-1');
    expect(await f.call('alice', 'TYPING', { to: 'bob' })).toMatchObject({ name: 'OK' });
    expect(bodyOf(f.delivery.take('bob')[0], 'TYPING')).toMatchObject({ to: 'bob', from: 'alice', stopped: false });
    expect(f.db.prepare('SELECT COUNT(*) AS n FROM inbox').get()).toEqual({ n: 0 });
  });

  it('is for one-to-one chats only', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob']);
    await expect(f.call('alice', 'TYPING', { to: groupId })).rejects.toMatchObject({ code: ErrorCode.INVALID_MESSAGE });
  });
});
