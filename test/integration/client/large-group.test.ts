import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { createChatService } from '../../../main/chat/chat-service';
import type { MagpieClient } from '../../../main/client/magpie-client';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * The client's side of large groups (protocol 2.1) against a real server that read-diffuses every
 * group from 2 members on: one cursor per timeline, pushed entries applied in order, gaps and
 * logins pulled, everything stored exactly once, confirmed per timeline.
 */
describe('a large group\'s timeline on the client', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  const raw: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(raw.splice(0).map((c) => c.close()));
    await fixture.cleanup();
    await server?.stop();
  });

  async function start(): Promise<TestServer> {
    server = await startTestServer({ tuning: { groupTimelineThreshold: 2, requestsPerSecond: 100_000, requestBurst: 100_000 } });
    return server;
  }

  async function owner(s: TestServer): Promise<TestClient> {
    const client = await TestClient.connect(s.port);
    raw.push(client);
    await client.hello();
    await client.loginWithAppToken(s.appId, s.appToken, 'owner01');
    return client;
  }

  async function createGroup(client: TestClient, members: string[]): Promise<string> {
    const result = await client.ask('GROUP', { op: { case: 'create', value: { name: 'Big', members } } }, 'GROUP_RESULT');
    return (result.result.value as pb.GroupInfo).groupId;
  }

  let counter = 0;
  async function say(client: TestClient, groupId: string, text: string, extra: { mentions?: string[] } = {}): Promise<pb.Sent> {
    counter += 1;
    const clientMsgId = new Uint8Array(16);
    new DataView(clientMsgId.buffer).setUint32(12, counter);
    return client.ask('SEND', { clientMsgId, to: groupId, type: pb.MessageType.TEXT, text, ...extra }, 'SENT');
  }

  const texts = (client: MagpieClient, groupId: string): string[] =>
    (client.store.db.prepare('SELECT text FROM messages WHERE conversation = ? ORDER BY msg_id').pluck().all(groupId) as string[]);

  it('an offline member catches up in pages, in order, each message once (a mentioned one too)', async () => {
    const s = await start();
    const alice = await owner(s);
    const groupId = await createGroup(alice, ['bob01', 'carol01']);
    const said = Array.from({ length: 250 }, (_, i) => `m${i}`);
    for (const [i, text] of said.entries()) await say(alice, groupId, text, i === 7 ? { mentions: ['bob01'] } : {});

    const bob = await fixture.client(s, 'bob01');
    await bob.start();
    await eventually(() => texts(bob, groupId).length >= 250, 20_000, () => `${texts(bob, groupId).length} of 250`);
    await bob.syncIdle();
    expect(texts(bob, groupId)).toEqual(said);
    expect(bob.store.timelineCursors.appliedOf(groupId)).toBe(250);
    // the mention came by the inbox as well, and is kept once
    const mention = bob.store.db.prepare('SELECT mentions_me FROM messages WHERE text = ?').pluck().get('m7');
    expect(mention).toBe(1);
    await eventually(
      () => (bob.store.db.prepare('SELECT confirmed_seq FROM timeline_cursors WHERE group_id = ?').pluck().get(groupId) as number) === 250,
      5_000,
      () => 'the timeline confirmed',
    );
  });

  it('an online member is pushed each entry; a restart pulls what it missed and stores nothing twice', async () => {
    const s = await start();
    const alice = await owner(s);
    const groupId = await createGroup(alice, ['bob01', 'carol01']);
    const profileDir = await fixture.profile();
    const bob = await fixture.client(s, 'bob01', { profileDir });
    await bob.start();
    await bob.syncIdle();
    for (let i = 0; i < 5; i++) await say(alice, groupId, `live ${i}`);
    await eventually(() => texts(bob, groupId).length >= 5, 10_000, () => `${texts(bob, groupId).length} of 5 live`);
    bob.close();
    await bob.store.closed;

    for (let i = 0; i < 5; i++) await say(alice, groupId, `away ${i}`);
    const sent = await say(alice, groupId, 'to take back');
    await alice.ask('REVOKE', { msgId: sent.msgId }, 'OK');

    const again = await fixture.client(s, 'bob01', { profileDir });
    await again.start();
    await eventually(() => again.store.timelineCursors.appliedOf(groupId) >= 12, 10_000, () => `cursor ${again.store.timelineCursors.appliedOf(groupId)}`);
    await again.syncIdle();
    const stored = texts(again, groupId);
    expect(stored).toEqual([...Array.from({ length: 5 }, (_, i) => `live ${i}`), ...Array.from({ length: 5 }, (_, i) => `away ${i}`), '']);
    const revoked = again.store.db.prepare('SELECT revoked FROM messages WHERE msg_id = ?').pluck().get(Number(sent.msgId));
    expect(revoked).toBe(1);
  });

  it('a member joining later sees from the join on, and the group\'s own messages of its sender stay once', async () => {
    const s = await start();
    const alice = await owner(s);
    const groupId = await createGroup(alice, ['carol01']);
    await say(alice, groupId, 'before dan');
    await alice.ask('GROUP', { op: { case: 'invite', value: { groupId, users: ['dan01'] } } }, 'GROUP_RESULT');
    await say(alice, groupId, 'with dan');
    const dan = await fixture.client(s, 'dan01');
    await dan.start();
    await eventually(() => texts(dan, groupId).length >= 1, 10_000);
    await dan.syncIdle();
    expect(texts(dan, groupId)).toEqual(['with dan']);
    // dan's own message: SENT and the inbox copy; the timeline's copy is the same message
    await createChatService(dan).send(groupId, { kind: 'text', text: 'dan here' });
    await eventually(() => texts(dan, groupId).length >= 2, 10_000);
    await dan.syncIdle();
    expect(dan.store.db.prepare('SELECT count(*) FROM messages WHERE text = ?').pluck().get('dan here')).toBe(1);
  });

  it('a catch-up of many large groups at once raises the notifications of one batch, not a few per group', async () => {
    const s = await start();
    const alice = await owner(s);
    const groups: string[] = [];
    for (let g = 0; g < 10; g++) {
      const groupId = await createGroup(alice, ['bob01', 'carol01']);
      groups.push(groupId);
      for (let i = 0; i < 3; i++) await say(alice, groupId, `g${g} m${i}`);
    }
    // the window is not focused: each message would notify, but a catch-up is not a storm
    const bob = await fixture.core(s, 'bob01');
    const shown = (): number => bob.upserted().filter((m) => m.kind === 'text').length;
    await eventually(() => shown() >= 30, 10_000, () => `${shown()} of 30 shown`);
    await eventually(() => bob.notifications.length > 0, 5_000, () => 'a notification');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.notifications.length).toBeLessThanOrEqual(3);
    for (const [g, groupId] of groups.entries()) {
      const page = await bob.call('messages.page', { conversation: groupId });
      expect(page.ok && page.value.messages.filter((m) => m.kind === 'text').map((m) => m.text)).toEqual([`g${g} m0`, `g${g} m1`, `g${g} m2`]);
    }
  });

  it('a catch-up of large groups shows its progress, as the inbox\'s does', async () => {
    const s = await start();
    const alice = await owner(s);
    for (let g = 0; g < 2; g++) {
      const groupId = await createGroup(alice, ['bob01', 'carol01']);
      for (let i = 0; i < 300; i++) await say(alice, groupId, `g${g} m${i}`);
    }
    const bob = await fixture.core(s, 'bob01');
    const progress = (): Array<{ applied: number; target: number; done: boolean }> =>
      bob.events.filter((e) => e.event === 'sync.progress').map((e) => e.payload as { applied: number; target: number; done: boolean });
    await eventually(() => progress().some((p) => p.done && p.applied === 600), 20_000, () => JSON.stringify(progress()));
    // the page shows a bar while the timelines' pages come in, and the count it shows only grows
    const timeline = progress().filter((p) => p.target >= 600);
    expect(timeline.some((p) => !p.done && p.applied < p.target)).toBe(true);
    for (const [i, p] of timeline.entries()) if (i > 0) expect(p.applied).toBeGreaterThan(timeline[i - 1]!.applied);
    expect(timeline.at(-1)).toEqual({ applied: 600, target: 600, done: true });
  });
});
