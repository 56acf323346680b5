import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { openChatWorld, clientId, type ChatWorld, type Session } from '../server/chat-fixture';
import { restClient, waitFor, type RestCall } from '../rest/rest-fixture';
import { startPushReceiver, type PushReceiver } from './push-receiver';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A large group (read diffusion, threshold 3 here) stores a message once, in its timeline: an @all
 * from its owner reaches no member's inbox, and still gives every offline member the offline push
 * a small group's @all gives, with the same rules.
 */
describe("offline push of a large group's @all", () => {
  let world: ChatWorld;
  let call: RestCall;
  let receiver: PushReceiver;
  let secret: string;
  let owner: Session;
  let n = 1;

  const offline = async (user: string) => {
    await waitFor(
      async () => (await call('POST', `/v1/accounts/{sid}/apps/${world.server.appId}/presence`, { users: [user] })).json.users[0].online === false,
      5_000,
      `${user} to be offline`,
    );
  };
  const createGroup = async (name: string, members: string[]) => {
    const created = await owner.group({ case: 'create', value: { name, members } });
    return created.case === 'group' ? created.value.groupId : '';
  };
  const say = (to: string, text: string, extra = {}) => owner.send({ clientMsgId: clientId(n++), to, type: pb.MessageType.TEXT, text, ...extra });

  beforeAll(async () => {
    receiver = await startPushReceiver();
    world = await openChatWorld({ tuning: { groupTimelineThreshold: 3, pushDelayMs: 150, pushRetryBaseMs: 100, pushMinIntervalMs: 60_000 } });
    call = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
    const push = await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { url: receiver.url });
    expect(push.status).toBe(200);
    secret = push.json.secret as string;
    owner = await world.login('owner');
    await owner.client.ask('PROFILE_UPDATE', { nickname: 'The Owner' }, 'PROFILES');
  });
  afterAll(async () => {
    await world.close();
    await receiver.close();
  });

  it('pushes "[@all]" once to an offline member; nothing to one online, one kicked, or the sender', async () => {
    const groupId = await createGroup('Town hall', ['off1', 'on1', 'kicked1', 'other1']);
    await owner.group({ case: 'kick', value: { groupId, users: ['kicked1'] } });
    const online = await world.login('on1');
    await say(groupId, 'crossing into read diffusion');
    await online.nextPush((e) => e.item.case === 'message' && e.item.value.text === 'crossing into read diffusion');

    await say(groupId, 'everyone: the meeting moved to 3pm', { mentionAll: true });
    const live = await online.nextPush((e) => e.item.case === 'message' && e.item.value.mentionAll);
    // stored once, in the timeline: the online member's push carries the timeline's seq
    expect(live.groupId).toBe(groupId);

    await waitFor(() => receiver.callsFor('off1').length > 0 && receiver.callsFor('other1').length > 0, 5_000, 'the pushes to off1 and other1');
    await settle(400);
    const calls = receiver.callsFor('off1');
    expect(calls).toHaveLength(1);
    expect(receiver.verify(calls[0]!, secret)).toBe(true);
    expect(calls[0]!.body).toMatchObject({
      recipient: 'off1',
      sender: 'owner',
      senderNickname: 'The Owner',
      conversation: groupId,
      isGroup: true,
      groupName: 'Town hall',
      mention: true,
      mentionKind: 'all',
      count: 1,
      // the two messages of the group, read by no one yet, as a small group's push counts them
      unread: 2,
      preview: 'everyone: the meeting moved to 3pm',
      body: '[@all] everyone: the meeting moved to 3pm',
    });
    // the push names the timeline's seq: the next @all's push has another id, the same inbox seq or not
    expect(calls[0]!.headers['x-magpie-push-id']).toBe(`${world.server.appId}:off1:${calls[0]!.body.maxSeq}:${groupId}:${live.seq}`);
    expect(receiver.callsFor('on1')).toEqual([]);
    expect(receiver.callsFor('kicked1')).toEqual([]);
    expect(receiver.callsFor('owner')).toEqual([]);
  });

  it("comes through a do-not-disturb (a muted group) as a small group's @all does", async () => {
    const groupId = await createGroup('Quiet hall', ['dnd2', 'plain2', 'extra2']);
    const dnd = await world.login('dnd2');
    await dnd.group({ case: 'setDnd', value: { groupId, on: true } });
    await dnd.close();
    await offline('dnd2');
    // a large group's message that mentions no one is pushed to no offline member, as before
    await say(groupId, 'nothing urgent');
    await settle(500);
    expect(receiver.callsFor('plain2')).toEqual([]);

    await say(groupId, 'fire drill now', { mentionAll: true });
    await waitFor(() => receiver.callsFor('dnd2').length > 0 && receiver.callsFor('plain2').length > 0, 5_000, 'the @all pushes to dnd2 and plain2');
    for (const user of ['dnd2', 'plain2']) {
      expect(receiver.callsFor(user)[0]!.body).toMatchObject({ mentionKind: 'all', count: 1, unread: 2, body: '[@all] fire drill now' });
    }
  });

  it('says "[@you]" to a member the @all also names, once; hides the text when the app says so', async () => {
    const groupId = await createGroup('Named hall', ['named3', 'all3', 'more3']);
    await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { hideContent: true });
    try {
      await say(groupId, 'all of you, and named3 above all', { mentionAll: true, mentions: ['named3'] });
      await waitFor(() => receiver.callsFor('named3').length > 0 && receiver.callsFor('all3').length > 0, 5_000, 'the pushes to named3 and all3');
      await settle(400);
      expect(receiver.callsFor('named3')).toHaveLength(1);
      expect(receiver.callsFor('named3')[0]!.body).toMatchObject({ mentionKind: 'you', body: '[@you] New message', unread: 1 });
      expect(receiver.callsFor('all3')).toHaveLength(1);
      expect(receiver.callsFor('all3')[0]!.body).toMatchObject({ mentionKind: 'all', preview: null, body: '[@all] New message', unread: 1 });
      expect(receiver.callsFor('all3')[0]!.raw).not.toContain('named3 above all');
    } finally {
      await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { hideContent: false });
    }
  });

  it('merges a personal mention and an @all into one push, each message counted once in unread', async () => {
    const groupId = await createGroup('Merged hall', ['both6', 'only6', 'third6']);
    await say(groupId, 'both6, a word', { mentions: ['both6'] });
    await say(groupId, 'and now everyone', { mentionAll: true });
    await waitFor(() => receiver.callsFor('both6').length > 0 && receiver.callsFor('only6').length > 0, 5_000, 'the pushes to both6 and only6');
    await settle(300);
    expect(receiver.callsFor('both6')).toHaveLength(1);
    // the mention's inbox copy is the timeline's message too: two unread, not three
    expect(receiver.callsFor('both6')[0]!.body).toMatchObject({ count: 2, unread: 2, mentionKind: 'you', body: '[@you] 2 new messages' });
    expect(receiver.callsFor('only6')[0]!.body).toMatchObject({ count: 1, unread: 2, mentionKind: 'all', body: '[@all] and now everyone' });
  });

  it('sends nothing for a silent custom @all', async () => {
    const groupId = await createGroup('Silent hall', ['quiet4', 'also4', 'third4']);
    await owner.send({ clientMsgId: clientId(n++), to: groupId, type: pb.MessageType.CUSTOM, mentionAll: true, custom: { command: 'refresh', silent: true } });
    await settle(600);
    expect(receiver.callsFor('quiet4')).toEqual([]);
  });

  it('drops the push of a member who pulled and confirmed the timeline before it was due', async () => {
    const slow = await openChatWorld({ tuning: { groupTimelineThreshold: 3, pushDelayMs: 1_500 } });
    try {
      const rest = restClient(`http://127.0.0.1:${slow.server.httpPort}`, slow.server.accountSid, slow.server.authToken);
      await rest('PUT', `/v1/accounts/{sid}/apps/${slow.server.appId}/push`, { url: receiver.url });
      const boss = await slow.login('boss5');
      const created = await boss.group({ case: 'create', value: { name: 'Back soon', members: ['back5', 'away5', 'third5'] } });
      const groupId = created.case === 'group' ? created.value.groupId : '';
      await boss.send({ clientMsgId: clientId(1), to: groupId, type: pb.MessageType.TEXT, text: 'all: read this', mentionAll: true });
      // queued in the SEND's own commit, one row per offline member
      expect(slow.server.server.pushQueueDepth()).toBe(3);
      const back = await slow.login('back5');
      const entries = await back.syncAll();
      const seq = entries.find((e) => e.item.case === 'message' && e.item.value.text === 'all: read this')!.seq;
      await back.client.ask('TIMELINE_CONFIRM', { cursors: [{ groupId, seq }] }, 'OK');
      await back.close();
      await waitFor(() => receiver.callsFor('away5').length > 0, 5_000, 'the push to away5');
      await settle(300);
      expect(receiver.callsFor('back5')).toEqual([]);
      expect(receiver.callsFor('away5')[0]!.body).toMatchObject({ mentionKind: 'all', body: '[@all] all: read this' });
    } finally {
      await slow.close();
    }
  });
});
