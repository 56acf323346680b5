import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { openChatWorld, clientId, type ChatWorld, type Session } from '../server/chat-fixture';
import { restClient, waitFor, type RestCall } from '../rest/rest-fixture';
import { startPushReceiver, type PushReceiver } from './push-receiver';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('offline push through the app webhook', () => {
  let world: ChatWorld;
  let call: RestCall;
  let receiver: PushReceiver;
  let secret: string;
  let alice: Session;
  let n = 1000;
  const say = (to: string, text: string, extra = {}) => alice.send({ clientMsgId: clientId(n++), to, type: pb.MessageType.TEXT, text, ...extra });

  beforeAll(async () => {
    receiver = await startPushReceiver();
    world = await openChatWorld({ tuning: { pushDelayMs: 150, pushRetryBaseMs: 100, pushMinIntervalMs: 60_000 } });
    call = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
    const push = await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { url: receiver.url });
    expect(push.status).toBe(200);
    secret = push.json.secret as string;
    alice = await world.login('alice');
    await alice.client.ask('PROFILE_UPDATE', { nickname: 'Alice Liddell' }, 'PROFILES');
  });
  afterAll(async () => {
    await world.close();
    await receiver.close();
  });

  it('posts one signed notification with the nickname for a user with no online session', async () => {
    await say('bob', 'hello bob');
    await waitFor(() => receiver.callsFor('bob').length > 0, 5_000, 'the push to bob');
    await settle(400);
    const calls = receiver.callsFor('bob');
    expect(calls).toHaveLength(1);
    expect(receiver.verify(calls[0]!, secret)).toBe(true);
    expect(calls[0]!.body).toMatchObject({
      appId: world.server.appId,
      recipient: 'bob',
      sender: 'alice',
      senderNickname: 'Alice Liddell',
      conversation: 'alice',
      preview: 'hello bob',
      count: 1,
      unread: 1,
    });
    expect(receiver.verify(calls[0]!, 'another secret')).toBe(false);
  });

  it('merges ten messages in a burst into one "10 new messages"', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => say('carol', `m${i}`)));
    await waitFor(() => receiver.callsFor('carol').length > 0, 5_000, 'the push to carol');
    await settle(400);
    const calls = receiver.callsFor('carol');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toMatchObject({ count: 10, body: '10 new messages', preview: null });
  });

  it('counts as unread only messages, as the client does: not the group notices before them', async () => {
    const created = await alice.group({ case: 'create', value: { name: 'notices', members: ['hana'] } });
    const groupId = created.case === 'group' ? created.value.groupId : '';
    // notices in hana's inbox: the create, a rename, a role change, a mute
    await alice.group({ case: 'modify', value: { groupId, name: 'notices 2' } });
    await alice.group({ case: 'setRole', value: { groupId, user: 'hana', role: pb.GroupRole.ADMIN } });
    await alice.group({ case: 'setRole', value: { groupId, user: 'hana', role: pb.GroupRole.MEMBER } });
    await alice.group({ case: 'mute', value: { groupId, user: 'hana', seconds: 60 } });
    await say(groupId, 'first');
    await say(groupId, 'second');
    await waitFor(() => receiver.callsFor('hana').length > 0, 5_000, 'the push to hana');
    expect(receiver.callsFor('hana')[0]!.body).toMatchObject({ count: 2, unread: 2 });
  });

  it('sends nothing to a user who is online, nor for a silent custom message', async () => {
    const dave = await world.login('dave');
    await say('dave', 'you are here');
    await dave.nextPush();
    await alice.send({ clientMsgId: clientId(n++), to: 'eve', type: pb.MessageType.CUSTOM, custom: { command: 'sync', silent: true } });
    await settle(600);
    expect(receiver.callsFor('dave')).toEqual([]);
    expect(receiver.callsFor('eve')).toEqual([]);
  });

  it('respects a group do-not-disturb, except for an @mention', async () => {
    const created = await alice.group({ case: 'create', value: { name: 'quiet', members: ['frank', 'kate'] } });
    const groupId = created.case === 'group' ? created.value.groupId : '';
    const frank = await world.login('frank');
    await frank.group({ case: 'setDnd', value: { groupId, on: true } });
    await frank.close();
    await say(groupId, 'group news');
    await waitFor(() => receiver.callsFor('kate').length > 0, 5_000, 'the push to kate');
    await settle(300);
    expect(receiver.callsFor('frank')).toEqual([]);
    expect(receiver.callsFor('kate')[0]!.body).toMatchObject({ conversation: groupId, isGroup: true, senderNickname: 'Alice Liddell' });
    await say(groupId, '@frank look', { mentions: ['frank'] });
    await waitFor(() => receiver.callsFor('frank').length > 0, 5_000, 'the mention push to frank');
    expect(receiver.callsFor('frank')[0]!.body).toMatchObject({ mention: true });
  });

  it('names the group of a group push (groupName, signed with the rest), none for a one-to-one push', async () => {
    const created = await alice.group({ case: 'create', value: { name: 'Tea party 茶会', members: ['nina'] } });
    const groupId = created.case === 'group' ? created.value.groupId : '';
    await say(groupId, 'tea at five');
    await waitFor(() => receiver.callsFor('nina').length > 0, 5_000, 'the push to nina');
    const [group] = receiver.callsFor('nina');
    expect(receiver.verify(group!, secret)).toBe(true);
    expect(group!.raw).toContain('"groupName":"Tea party 茶会"');
    // the title stays the sender, as before; the group is a field of its own
    expect(group!.body).toMatchObject({ conversation: groupId, isGroup: true, groupName: 'Tea party 茶会', title: 'Alice Liddell', body: 'tea at five' });
    const [single] = receiver.callsFor('bob');
    expect(single!.body).toMatchObject({ isGroup: false, groupName: null });
  });

  it('says "[@you]" in the body of a push that mentions the recipient, the text shown or not', async () => {
    const created = await alice.group({ case: 'create', value: { name: 'mentions', members: ['oscar', 'quinn'] } });
    const groupId = created.case === 'group' ? created.value.groupId : '';
    await say(groupId, 'oscar, look', { mentions: ['oscar'] });
    await waitFor(() => receiver.callsFor('quinn').length > 0, 5_000, 'the push to quinn');
    await waitFor(() => receiver.callsFor('oscar').length > 0, 5_000, 'the push to oscar');
    expect(receiver.callsFor('oscar')[0]!.body).toMatchObject({ mention: true, preview: 'oscar, look', body: '[@you] oscar, look' });
    // a member not mentioned sees the message as it is
    expect(receiver.callsFor('quinn')[0]!.body).toMatchObject({ mention: false, body: 'oscar, look' });

    await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { hideContent: true });
    try {
      const quiet = await alice.group({ case: 'create', value: { name: 'hidden', members: ['paula', 'rob'] } });
      const hiddenId = quiet.case === 'group' ? quiet.value.groupId : '';
      await say(hiddenId, 'paula, the secret', { mentions: ['paula'] });
      await waitFor(() => receiver.callsFor('rob').length > 0, 5_000, 'the push to rob');
      expect(receiver.callsFor('rob')[0]!.body).toMatchObject({ mention: false, body: 'New message' });
      await waitFor(() => receiver.callsFor('paula').length > 0, 5_000, 'the push to paula');
      const [hidden] = receiver.callsFor('paula');
      expect(hidden!.body).toMatchObject({ mention: true, preview: null, title: 'Alice Liddell', groupName: 'hidden', body: '[@you] New message' });
      expect(hidden!.raw).not.toContain('the secret');
    } finally {
      await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { hideContent: false });
    }
  });

  it('says "[@all]" for a push whose message mentions everyone, "[@you]" when it mentions the recipient too', async () => {
    const created = await alice.group({ case: 'create', value: { name: 'all hands', members: ['sue', 'tom'] } });
    const groupId = created.case === 'group' ? created.value.groupId : '';
    await say(groupId, 'everyone, and tom: standup', { mentionAll: true, mentions: ['tom'] });
    await waitFor(() => receiver.callsFor('sue').length > 0 && receiver.callsFor('tom').length > 0, 5_000, 'the pushes to sue and tom');
    expect(receiver.callsFor('sue')[0]!.body).toMatchObject({ mention: true, mentionKind: 'all', body: '[@all] everyone, and tom: standup' });
    expect(receiver.callsFor('tom')[0]!.body).toMatchObject({ mention: true, mentionKind: 'you', body: '[@you] everyone, and tom: standup' });

    // merged in one push: a personal mention among them outweighs @all
    const merged = await alice.group({ case: 'create', value: { name: 'all hands 2', members: ['uma', 'vic'] } });
    const mergedId = merged.case === 'group' ? merged.value.groupId : '';
    await say(mergedId, 'everyone, look', { mentionAll: true });
    await say(mergedId, 'uma, you too', { mentions: ['uma'] });
    await waitFor(() => receiver.callsFor('uma').length > 0 && receiver.callsFor('vic').length > 0, 5_000, 'the pushes to uma and vic');
    expect(receiver.callsFor('uma')[0]!.body).toMatchObject({ count: 2, mentionKind: 'you', body: '[@you] 2 new messages' });
    expect(receiver.callsFor('vic')[0]!.body).toMatchObject({ count: 2, mentionKind: 'all', body: '[@all] 2 new messages' });
    // no mention: no mark and no kind
    expect(receiver.callsFor('bob')[0]!.body).toMatchObject({ mention: false, mentionKind: null });
  });

  it('sends nothing for a one-to-one conversation the recipient muted (kept on the server, seen by every device); one once unmuted', async () => {
    const offline = async (user: string) => {
      await waitFor(
        async () => (await call('POST', `/v1/accounts/{sid}/apps/${world.server.appId}/presence`, { users: [user] })).json.users[0].online === false,
        5_000,
        `${user} to be offline`,
      );
    };
    const desktop = await world.login('lena');
    const phone = await world.login('lena', { device: pb.DeviceKind.MOBILE });
    expect((await desktop.client.ask('MUTE_UPDATE', { mute: ['alice'] }, 'MUTES')).peers).toEqual(['alice']);
    expect((await phone.client.waitForPush('MUTES')).peers).toEqual(['alice']);
    await Promise.all([desktop.close(), phone.close()]);
    await offline('lena');
    await say('lena', 'muted words');
    await settle(600);
    expect(receiver.callsFor('lena')).toEqual([]);

    // the mute survives the reconnect: a new session asks for the list and gets it
    const again = await world.login('lena');
    expect((await again.client.ask('MUTE_UPDATE', {}, 'MUTES')).peers).toEqual(['alice']);
    expect((await again.client.ask('MUTE_UPDATE', { unmute: ['alice'] }, 'MUTES')).peers).toEqual([]);
    await again.close();
    await offline('lena');
    await say('lena', 'audible words');
    await waitFor(() => receiver.callsFor('lena').length > 0, 5_000, 'the push to lena');
    await settle(400);
    expect(receiver.callsFor('lena')).toHaveLength(1);
    expect(receiver.callsFor('lena')[0]!.body).toMatchObject({ conversation: 'alice', preview: 'audible words' });
  });

  it("falls back to the sender's id without a nickname, and shows no preview of a burn-after-reading message", async () => {
    const nameless = await world.login('nameless');
    await nameless.send({ clientMsgId: clientId(n++), to: 'olga', type: pb.MessageType.TEXT, text: 'burn me', burnAfterReading: true });
    await waitFor(() => receiver.callsFor('olga').length > 0, 5_000, 'the push to olga');
    const [only] = receiver.callsFor('olga');
    expect(only!.body).toMatchObject({ sender: 'nameless', senderNickname: 'nameless', title: 'nameless', preview: null, body: 'New message' });
    expect(only!.raw).not.toContain('burn me');
  });

  it('refuses a group id or an invalid user id in MUTE_UPDATE', async () => {
    const user = await world.login('mona');
    await expect(user.client.ask('MUTE_UPDATE', { mute: ['gteam'] }, 'MUTES')).rejects.toMatchObject({ code: ErrorCode.BAD_BODY });
    await expect(user.client.ask('MUTE_UPDATE', { mute: ['not valid!'] }, 'MUTES')).rejects.toMatchObject({ code: ErrorCode.INVALID_USER_ID });
    expect((await user.client.ask('MUTE_UPDATE', {}, 'MUTES')).peers).toEqual([]);
  });

  it('retries after the receiver answers 500, and hides the preview when the app chooses so', async () => {
    await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { hideContent: true });
    receiver.failNext(500, 500);
    await say('hank', 'secret plans');
    await waitFor(() => receiver.callsFor('hank').some((c) => c.status === 200), 5_000, 'the retried push to hank');
    const calls = receiver.callsFor('hank');
    expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(new Set(calls.map((c) => c.headers['x-magpie-push-id'])).size).toBe(1);
    expect(calls[2]!.body.preview).toBeNull();
    expect(calls[2]!.raw).not.toContain('secret plans');
    await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { hideContent: false });
  });

  it("names the group as it is called when the push is sent, not when the message was", async () => {
    const slow = await openChatWorld({ tuning: { pushDelayMs: 1_000 } });
    try {
      const rest = restClient(`http://127.0.0.1:${slow.server.httpPort}`, slow.server.accountSid, slow.server.authToken);
      await rest('PUT', `/v1/accounts/{sid}/apps/${slow.server.appId}/push`, { url: receiver.url });
      const owner = await slow.login('rita');
      const created = await owner.group({ case: 'create', value: { name: 'old name', members: ['sam'] } });
      const groupId = created.case === 'group' ? created.value.groupId : '';
      await owner.send({ clientMsgId: clientId(1), to: groupId, type: pb.MessageType.TEXT, text: 'hi' });
      await waitFor(() => slow.server.server.pushQueueDepth() === 1, 2_000, 'the push to be queued');
      await owner.group({ case: 'modify', value: { groupId, name: 'new name' } });
      await waitFor(() => receiver.callsFor('sam').length > 0, 5_000, 'the push to sam');
      expect(receiver.callsFor('sam')[0]!.body).toMatchObject({ conversation: groupId, groupName: 'new name' });
    } finally {
      await slow.close();
    }
  });

  it('drops a pending push once the user comes online before it is due', async () => {
    const slow = await openChatWorld({ tuning: { pushDelayMs: 1_500 } });
    try {
      const rest = restClient(`http://127.0.0.1:${slow.server.httpPort}`, slow.server.accountSid, slow.server.authToken);
      await rest('PUT', `/v1/accounts/{sid}/apps/${slow.server.appId}/push`, { url: receiver.url });
      const sender = await slow.login('ivan');
      await sender.send({ clientMsgId: clientId(1), to: 'judy', type: pb.MessageType.TEXT, text: 'soon' });
      await waitFor(() => slow.server.server.pushQueueDepth() === 1, 2_000, 'the push to be queued');
      const judy = await slow.login('judy');
      await judy.syncAll();
      await settle(1_800);
      expect(receiver.callsFor('judy')).toEqual([]);
      expect(slow.server.server.pushQueueDepth()).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
