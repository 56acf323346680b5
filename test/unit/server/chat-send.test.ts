import type { MessageInitShape } from '@bufbuild/protobuf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { bodyOf, clientId, createChatFixture, makeGroup, syncAll, text, type ChatFixture } from './chat-fixture';

let f: ChatFixture;
beforeEach(() => {
  f = createChatFixture();
});
afterEach(() => f.close());

const count = (table: string): number => (f.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('sending one-to-one', () => {
  it('stores the message once, in both inboxes, before the SENT receipt', async () => {
    const sent = bodyOf(await f.call('alice', 'SEND', text('bob', 'hi 👋', 1)), 'SENT');
    expect(sent.msgId).toBeGreaterThan(0n);
    expect(sent.seq).toBe(1n);
    // the request id matches the receipt to its SEND; the id is not echoed
    expect(sent.clientMsgId).toHaveLength(0);
    expect(count('messages')).toBe(1);
    expect(f.chat.inboxHead('app0000000000000000000000000001', 'bob')).toEqual({ maxSeq: 1, confirmedSeq: 0 });

    const [bobEntry] = await syncAll(f, 'bob');
    expect(bobEntry?.item.case).toBe('message');
    const message = bobEntry!.item.value as pb.Message;
    // `to` is left out in the recipient's own inbox; the sender's copy names the recipient
    expect(message).toMatchObject({ from: 'alice', to: '', text: 'hi 👋', msgId: sent.msgId, timeMs: sent.timeMs });
    expect(message.clientMsgId).toHaveLength(0);

    const [own] = await syncAll(f, 'alice');
    expect((own!.item.value as pb.Message).clientMsgId).toEqual(clientId(1));
    expect((own!.item.value as pb.Message).to).toBe('bob');
  });

  it('pushes to the recipient and to the sender’s other sessions, not the sending one', async () => {
    f.delivery.connect('bob', 'bob-1');
    f.delivery.connect('alice', 'alice-1');
    f.delivery.connect('alice', 'alice-2');
    await f.call('alice', 'SEND', text('bob', 'hello', 1));
    const [toBob] = f.delivery.take('bob');
    expect(toBob?.name).toBe('PUSH');
    expect(bodyOf(toBob, 'PUSH').seq).toBe(1n);
    const toAlice = f.delivery.sent.filter((s) => s.userId === 'alice');
    expect(toAlice).toHaveLength(1);
    expect(toAlice[0]!.exceptSessionId).toBe('alice-1');
    const own = bodyOf(toAlice[0]!.frame, 'PUSH').item.value as pb.Message;
    expect(own.clientMsgId).toEqual(clientId(1));
  });

  it('answers a resend with the same SENT and stores nothing new', async () => {
    const first = bodyOf(await f.call('alice', 'SEND', text('bob', 'once', 7)), 'SENT');
    f.clock.advance(5_000);
    const again = bodyOf(await f.call('alice', 'SEND', text('bob', 'once', 7)), 'SENT');
    expect(again).toEqual(first);
    expect(count('messages')).toBe(1);
    expect(count('inbox')).toBe(2);
  });

  it('keeps client ids apart per sender', async () => {
    await f.call('alice', 'SEND', text('bob', 'a', 1));
    await f.call('carol', 'SEND', text('bob', 'c', 1));
    expect(count('messages')).toBe(2);
  });

  it('sends a note to oneself once', async () => {
    const sent = bodyOf(await f.call('alice', 'SEND', text('alice', 'memo', 1)), 'SENT');
    expect(sent.seq).toBe(1n);
    expect(await syncAll(f, 'alice')).toHaveLength(1);
  });

  it('makes a recipient never seen before known to the app', async () => {
    await f.call('alice', 'SEND', text('newcomer', 'welcome', 1));
    expect(f.users.getUser('app0000000000000000000000000001', 'newcomer')).toBeDefined();
  });
});

describe('content rules', () => {
  const send = (body: MessageInitShape<typeof pb.SendSchema>) => f.call('alice', 'SEND', body);

  it.each([
    ['a user id with other symbols', { ...text('bob!', 'x', 1) }, ErrorCode.INVALID_USER_ID],
    ['no recipient', { ...text('', 'x', 1) }, ErrorCode.RECIPIENT_NOT_FOUND],
    ['an empty text', { ...text('bob', '', 1) }, ErrorCode.INVALID_MESSAGE],
    ['text over 5000 characters', { ...text('bob', 'x'.repeat(5001), 1) }, ErrorCode.TEXT_TOO_LONG],
    ['text over 5000 characters of emoji', { ...text('bob', '🐦'.repeat(5001), 1) }, ErrorCode.TEXT_TOO_LONG],
    ['a short client id', { ...text('bob', 'x', 1), clientMsgId: new Uint8Array(7).fill(1) }, ErrorCode.INVALID_CLIENT_MSG_ID],
    ['a long client id', { ...text('bob', 'x', 1), clientMsgId: new Uint8Array(65).fill(1) }, ErrorCode.INVALID_CLIENT_MSG_ID],
    ['mentions in 1:1', { ...text('bob', 'x', 1), mentions: ['carol'] }, ErrorCode.INVALID_MESSAGE],
    ['an image without media', { clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.IMAGE }, ErrorCode.INVALID_MESSAGE],
    [
      'a voice message without duration',
      { clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.VOICE, media: { fileId: 'f1' } },
      ErrorCode.INVALID_MESSAGE,
    ],
    [
      'a voice message over 60 s (the longest the file service takes)',
      { clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.VOICE, media: { fileId: 'f1', durationMs: 60_001 } },
      ErrorCode.INVALID_MESSAGE,
    ],
    [
      'a latitude past the pole',
      { clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.LOCATION, location: { latitude: 91, longitude: 0 } },
      ErrorCode.INVALID_MESSAGE,
    ],
    [
      'a custom payload over 16 KiB',
      { clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.CUSTOM, custom: { command: 'x', payload: new Uint8Array(16 * 1024 + 1) } },
      ErrorCode.PAYLOAD_TOO_LARGE,
    ],
    ['media on a text message', { ...text('bob', 'x', 1), media: { fileId: 'f' } }, ErrorCode.INVALID_MESSAGE],
  ] as [string, MessageInitShape<typeof pb.SendSchema>, number][])('refuses %s', async (_name, body, code) => {
    await expect(send(body)).rejects.toMatchObject({ code });
    expect(count('messages')).toBe(0);
  });

  it('takes client ids of 8 to 64 bytes, and any valid user id as a recipient', async () => {
    expect(bodyOf(await send({ ...text('bob', 'x', 1), clientMsgId: new Uint8Array(8).fill(1) }), 'SENT').seq).toBe(1n);
    expect(bodyOf(await send({ ...text('nobody-yet', 'x', 2), clientMsgId: new Uint8Array(64).fill(2) }), 'SENT').seq).toBe(2n);
  });

  it('stores and delivers custom.silent as sent, and does nothing else with it', async () => {
    f.delivery.connect('bob', 'bob-1');
    await send({ clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.CUSTOM, custom: { command: 'hush', silent: true } });
    const pushed = f.delivery.take('bob').map((frame) => bodyOf(frame, 'PUSH').item.value as pb.Message);
    const synced = (await syncAll(f, 'bob')).map((e) => e.item.value as pb.Message);
    for (const message of [...pushed, ...synced]) expect(message.custom).toMatchObject({ command: 'hush', silent: true, transient: false });
    expect(pushed).toHaveLength(1);
    expect(synced).toHaveLength(1);
  });

  it('stores each message type with its own parts', async () => {
    const media = { fileId: 'file-1', name: 'a.png', size: 1234n, mime: 'image/png', width: 10, height: 20 };
    await send({ clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.IMAGE, text: 'caption', media });
    await send({ clientMsgId: clientId(2), to: 'bob', type: pb.MessageType.VOICE, media: { fileId: 'v', durationMs: 60_000 } });
    await send({ clientMsgId: clientId(3), to: 'bob', type: pb.MessageType.FILE, media: { fileId: 'doc', name: 'a.pdf' } });
    await send({ clientMsgId: clientId(4), to: 'bob', type: pb.MessageType.LOCATION, location: { latitude: 31.2, longitude: 121.5, title: 'Bund' } });
    await send({ clientMsgId: clientId(5), to: 'bob', type: pb.MessageType.CUSTOM, custom: { command: 'poke', payload: new Uint8Array([1, 2]) } });
    const messages = (await syncAll(f, 'bob')).map((e) => e.item.value as pb.Message);
    expect(messages.map((m) => m.type)).toEqual([
      pb.MessageType.IMAGE,
      pb.MessageType.VOICE,
      pb.MessageType.FILE,
      pb.MessageType.LOCATION,
      pb.MessageType.CUSTOM,
    ]);
    expect(messages[0]!.media).toMatchObject(media);
    expect(messages[0]!.text).toBe('caption');
    expect(messages[3]!.location?.title).toBe('Bund');
    expect(messages[4]!.custom?.payload).toEqual(new Uint8Array([1, 2]));
  });

  it('pushes a transient custom message to online sessions with seq 0 and never stores it', async () => {
    f.delivery.connect('bob', 'bob-1');
    const sent = bodyOf(
      await send({ clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.CUSTOM, custom: { command: 'ring', transient: true } }),
      'SENT',
    );
    expect(sent.seq).toBe(0n);
    const [push] = f.delivery.take('bob');
    expect(bodyOf(push, 'PUSH').seq).toBe(0n);
    expect(count('messages')).toBe(0);
    expect(count('inbox')).toBe(0);
  });
});

describe('sending to a group', () => {
  it('stores a group message once and gives every member an entry', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob', 'carol']);
    const before = count('inbox');
    await f.call('bob', 'SEND', { ...text(groupId, 'hello @alice', 1), mentions: ['alice'] });
    expect(count('messages')).toBe(1);
    expect(count('inbox') - before).toBe(3);
    const carolsLast = (await syncAll(f, 'carol')).at(-1)!.item.value as pb.Message;
    expect(carolsLast).toMatchObject({ from: 'bob', to: groupId, mentions: ['alice'] });
  });

  it('fails alone a SEND that loses its right to post between its checks and the shared commit', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob', 'carol']);
    // all three checked now and stored at the end of this turn, in one transaction
    const before = f.call('bob', 'SEND', text(groupId, 'before', 1));
    const doomed = f.call('carol', 'SEND', text(groupId, 'doomed', 2));
    const after = f.call('bob', 'SEND', text(groupId, 'after', 3));
    // committed at once, before that turn ends
    void f.call('alice', 'GROUP', { op: { case: 'kick', value: { groupId, users: ['carol'] } } });
    await expect(doomed).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    const [first, last] = [bodyOf(await before, 'SENT'), bodyOf(await after, 'SENT')];
    expect(last.msgId).toBeGreaterThan(first.msgId);
    const stored = f.db.prepare('SELECT sender FROM messages WHERE target = ? ORDER BY msg_id').all(groupId) as { sender: string }[];
    expect(stored.map((row) => row.sender)).toEqual(['bob', 'bob']);
  });

  it('refuses non-members, muted members, dismissed groups and @all from members', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob', 'carol']);
    await expect(f.call('mallory', 'SEND', text(groupId, 'x', 1))).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    await expect(f.call('bob', 'SEND', { ...text(groupId, 'x', 2), mentionAll: true })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_ADMIN,
    });
    await expect(f.call('bob', 'SEND', { ...text(groupId, 'x', 3), mentions: ['mallory'] })).rejects.toMatchObject({
      code: ErrorCode.INVALID_MESSAGE,
    });
    await f.call('alice', 'GROUP', { op: { case: 'mute', value: { groupId, user: 'bob', seconds: 60 } } });
    await expect(f.call('bob', 'SEND', text(groupId, 'x', 4))).rejects.toMatchObject({ code: ErrorCode.SELF_MUTED });
    f.clock.advance(61_000);
    await f.call('bob', 'SEND', text(groupId, 'free again', 5));
    await f.call('alice', 'GROUP', { op: { case: 'dismiss', value: { groupId } } });
    await expect(f.call('alice', 'SEND', text(groupId, 'x', 6))).rejects.toMatchObject({ code: ErrorCode.GROUP_DISMISSED });
    await expect(f.call('alice', 'SEND', text('gnosuchgroup', 'x', 7))).rejects.toMatchObject({ code: ErrorCode.GROUP_NOT_FOUND });
  });

  it('allows burn-after-reading in 1:1 only', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob']);
    await expect(f.call('alice', 'SEND', { ...text(groupId, 'x', 1), burnAfterReading: true })).rejects.toMatchObject({
      code: ErrorCode.INVALID_MESSAGE,
    });
  });
});

describe('query plans', () => {
  it('serves the per-message and per-page queries from indexes', () => {
    const plan = (sql: string): string =>
      (f.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan(`SELECT i.seq FROM inbox i LEFT JOIN messages m ON m.msg_id = i.msg_id WHERE i.app_id = 'a' AND i.user_id = 'u' AND i.seq > 5 ORDER BY i.seq LIMIT 200`)).not.toMatch(/SCAN i\b|TEMP B-TREE/);
    expect(plan(`SELECT msg_id FROM messages WHERE app_id = 'a' AND sender = 's' AND client_msg_id = x'00'`)).toMatch(/messages_by_client_id/);
    expect(plan(`SELECT user_id FROM group_members WHERE app_id = 'a' AND group_id = 'g1'`)).toMatch(/SEARCH/);
    expect(
      plan(`SELECT msg_id FROM messages WHERE app_id = 'a' AND target = 'r' AND sender = 's' AND msg_id <= 9 AND burn = 1 AND burned_ms IS NULL AND revoked_ms IS NULL`),
    ).toMatch(/messages_burn_pending/);
  });
});
