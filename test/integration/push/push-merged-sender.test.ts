import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { openChatWorld, clientId, type ChatWorld, type Session } from '../server/chat-fixture';
import { restClient, waitFor } from '../rest/rest-fixture';
import { startPushReceiver, type PushReceiver } from './push-receiver';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A push that merges an @mention with messages after it names who mentioned, not who spoke last. */
describe('offline push: the sender of a merged push that mentions the recipient', () => {
  let world: ChatWorld;
  let receiver: PushReceiver;
  let alice: Session;
  let carol: Session;
  let n = 1;

  beforeAll(async () => {
    receiver = await startPushReceiver();
    // long enough that the messages of one test merge into one push
    world = await openChatWorld({ tuning: { pushDelayMs: 600, pushMinIntervalMs: 60_000 } });
    const call = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
    expect((await call('PUT', `/v1/accounts/{sid}/apps/${world.server.appId}/push`, { url: receiver.url })).status).toBe(200);
    alice = await world.login('alice');
    carol = await world.login('carol');
    await alice.client.ask('PROFILE_UPDATE', { nickname: 'Alice Liddell' }, 'PROFILES');
    await carol.client.ask('PROFILE_UPDATE', { nickname: 'Carol' }, 'PROFILES');
  });
  afterAll(async () => {
    await world.close();
    await receiver.close();
  });

  const say = (who: Session, to: string, text: string, extra = {}) => who.send({ clientMsgId: clientId(n++), to, type: pb.MessageType.TEXT, text, ...extra });
  async function groupOf(name: string, members: string[]): Promise<string> {
    const created = await alice.group({ case: 'create', value: { name, members: ['carol', ...members] } });
    return created.case === 'group' ? created.value.groupId : '';
  }
  async function onlyPushTo(user: string) {
    await waitFor(() => receiver.callsFor(user).length > 0, 5_000, `the push to ${user}`);
    await settle(300);
    expect(receiver.callsFor(user)).toHaveLength(1);
    return receiver.callsFor(user)[0]!.body;
  }

  it('names the one who @mentioned, in the group and across conversations', async () => {
    const groupId = await groupOf('Tea party', ['bob']);
    await say(alice, groupId, '@bob are you coming?', { mentions: ['bob'] });
    await say(carol, groupId, 'the cake is ready');
    expect(await onlyPushTo('bob')).toMatchObject({
      count: 2,
      mentionKind: 'you',
      body: '[@you] 2 new messages',
      conversation: groupId,
      sender: 'alice',
      senderNickname: 'Alice Liddell',
      title: 'Alice Liddell',
    });

    // a one-to-one message after the @mention: the push names the mention's sender still
    const garden = await groupOf('Garden', ['dan']);
    await say(alice, garden, '@dan see you there', { mentions: ['dan'] });
    await say(carol, 'dan', 'did you get my mail?');
    expect(await onlyPushTo('dan')).toMatchObject({ count: 2, mentionKind: 'you', conversation: '', sender: 'alice', title: 'Alice Liddell' });
  });

  it('a personal @mention outweighs an @all after it; without a mention the last sender is named', async () => {
    const groupId = await groupOf('Picnic', ['erin', 'fay']);
    await say(carol, groupId, '@erin bring the blanket', { mentions: ['erin'] });
    await say(alice, groupId, '@all we leave at noon', { mentionAll: true });
    expect(await onlyPushTo('erin')).toMatchObject({ count: 2, mentionKind: 'you', sender: 'carol', title: 'Carol' });
    // fay is named by no one, only by the @all: its sender is named
    expect(await onlyPushTo('fay')).toMatchObject({ count: 2, mentionKind: 'all', sender: 'alice', title: 'Alice Liddell' });

    const quiet = await groupOf('Chatter', ['hal']);
    await say(alice, quiet, 'one');
    await say(carol, quiet, 'two');
    expect(await onlyPushTo('hal')).toMatchObject({ count: 2, mentionKind: null, sender: 'carol', title: 'Carol' });
  });
});
