import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameType, pb, type Frame } from '../../../protocol';
import { createChatService } from '../../../main/chat/chat-service';
import type { MagpieClient } from '../../../main/client/magpie-client';
import { startFrameTap, type FrameTap, type FrameTapOptions } from '../../support/frame-tap';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * In a large group (read diffusion, protocol 2.1) the SENT of one's own message carries its seq in
 * the group's timeline (docs/protocol.md, section 7, "Large groups"): the sending client applies
 * it there, the sender's other devices are pushed it as any member is, so the next message from
 * someone else continues the timeline and costs no TIMELINE_SYNC. A SENT without it (an older
 * server) still works: the client pulls, as before.
 */
describe('SENT stands for the own timeline entry in a large group', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let tap: FrameTap | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await tap?.close();
    await server?.stop();
    tap = undefined;
    server = undefined;
  });

  /** A server on free ports, with a frame tap of its own in front of it. */
  async function start(tapOptions: Omit<FrameTapOptions, 'port'> = {}): Promise<{ server: TestServer; tap: FrameTap }> {
    server = await startTestServer({
      tuning: { groupTimelineThreshold: 2, requestsPerSecond: 100_000, requestBurst: 100_000 },
    });
    tap = await startFrameTap(server.port, tapOptions);
    return { server, tap };
  }

  /** Every message of the group a client stored, in msg_id order, and how often each text is there. */
  function groupTexts(client: MagpieClient, groupId: string): string[] {
    return client.store.db.prepare('SELECT text FROM messages WHERE conversation = ? ORDER BY msg_id').pluck().all(groupId) as string[];
  }

  /** The group's messages as the client's store reported them, in the order they were stored. */
  function ingested(client: MagpieClient, groupId: string): string[] {
    const out: string[] = [];
    client.events.on('ingested', (result) => out.push(...result.messages.filter((m) => m.conversation === groupId).map((m) => m.text)));
    return out;
  }

  async function createGroup(owner: MagpieClient, members: string[]): Promise<string> {
    const answer = await owner.request('GROUP', { op: { case: 'create', value: { name: 'Big', members } } });
    return (answer.body.result.value as pb.GroupInfo).groupId;
  }

  const turns = [0, 1, 2, 3, 4];
  const conversation = turns.flatMap((i) => [`question ${i}`, `answer ${i}`]);

  /** alice and bob take turns, each waiting for the other's message to arrive everywhere. */
  async function takeTurns(alice: MagpieClient, bob: MagpieClient, groupId: string, others: MagpieClient[] = []): Promise<void> {
    const aliceChat = createChatService(alice);
    const bobChat = createChatService(bob);
    for (const i of turns) {
      await aliceChat.send(groupId, { kind: 'text', text: `question ${i}` });
      await eventually(() => groupTexts(bob, groupId).length === 2 * i + 1, 5_000, () => `bob has ${groupTexts(bob, groupId).length}`);
      await bobChat.send(groupId, { kind: 'text', text: `answer ${i}` });
      for (const client of [alice, ...others]) {
        await eventually(() => groupTexts(client, groupId).length === 2 * i + 2, 5_000, () => `${client.selfId} has ${groupTexts(client, groupId).length}`);
      }
    }
    // one's own last message takes its place (its msg_id) with its SENT, which may come after the others have it
    for (const client of [alice, bob, ...others]) {
      await eventually(() => groupTexts(client, groupId).join('\n') === conversation.join('\n'), 5_000, () => `${client.selfId} has ${groupTexts(client, groupId).join(', ')}`);
    }
    await Promise.all([alice, bob, ...others].map((c) => c.syncIdle()));
  }

  it('5 turns of two members: no TIMELINE_SYNC after login, every message once and in order, on every device', async () => {
    const { server: s, tap: t } = await start();
    const alice = await fixture.client(s, 'alice', { servers: [t.address] });
    // alice's other device: pushed her timeline entries as any member is
    const aliceDesk = await fixture.client(s, 'alice', { servers: [t.address], deviceId: 'test-alice-2' });
    const bob = await fixture.client(s, 'bob', { servers: [t.address] });
    await Promise.all([alice.start(), aliceDesk.start(), bob.start()]);
    const groupId = await createGroup(alice, ['bob']);
    await Promise.all([alice, aliceDesk, bob].map((c) => c.syncIdle()));
    const atAlice = ingested(alice, groupId);
    const atDesk = ingested(aliceDesk, groupId);
    const atBob = ingested(bob, groupId);
    const timelinePullsAtLogin = t.count('up', 'TIMELINE_SYNC');
    const inboxPullsAtLogin = t.count('up', 'SYNC');

    await takeTurns(alice, bob, groupId, [aliceDesk]);

    expect(t.count('up', 'SEND')).toBe(10);
    // the SENTs of the group's messages said where each went in the timeline
    const sents = t.frames.filter((f) => f.direction === 'down' && f.name === 'SENT').map((f) => fromBinary(pb.SentSchema, f.frame.body));
    expect(sents.map((sent) => Number(sent.timelineSeq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(t.count('up', 'TIMELINE_SYNC') - timelinePullsAtLogin).toBe(0);
    expect(t.count('up', 'SYNC') - inboxPullsAtLogin).toBe(0);
    for (const client of [alice, aliceDesk, bob]) {
      expect(groupTexts(client, groupId)).toEqual(conversation);
      expect(client.store.timelineCursors.appliedOf(groupId)).toBe(10);
    }
    // stored in the order they were said: one's own when written, the others' as they came
    expect(atAlice).toEqual(turns.map((i) => `answer ${i}`));
    expect(atBob).toEqual(turns.map((i) => `question ${i}`));
    expect(atDesk).toEqual(conversation);
    // alice's own messages are sent once each, with the server's ids
    const own = alice.store.messages.page(groupId, 50).filter((m) => m.outgoing);
    expect(own.map((m) => [m.text, m.state, m.msgId! > 0])).toEqual(expect.arrayContaining(turns.map((i) => [`question ${i}`, 'sent', true])));
    expect(own).toHaveLength(5);
  });

  it('a SENT without the timeline seq (an older server): the client pulls as before and stores everything once, in order', async () => {
    // what a server before the field wrote: msg_id, time_ms and the inbox seq only
    const olderSent = (frame: Frame): Frame => {
      if (frame.type !== FrameType.SENT) return frame;
      const sent = fromBinary(pb.SentSchema, frame.body);
      return { ...frame, body: toBinary(pb.SentSchema, create(pb.SentSchema, { msgId: sent.msgId, timeMs: sent.timeMs, seq: sent.seq })) };
    };
    const { server: s, tap: t } = await start({ rewriteDown: olderSent });
    const alice = await fixture.client(s, 'alice', { servers: [t.address] });
    const bob = await fixture.client(s, 'bob');
    await Promise.all([alice.start(), bob.start()]);
    const groupId = await createGroup(alice, ['bob']);
    await Promise.all([alice.syncIdle(), bob.syncIdle()]);
    const atAlice = ingested(alice, groupId);
    const timelinePullsAtLogin = t.count('up', 'TIMELINE_SYNC');

    await takeTurns(alice, bob, groupId);

    // each of bob's answers came after a gap alice could not fill herself: she pulled
    expect(t.count('up', 'TIMELINE_SYNC') - timelinePullsAtLogin).toBeGreaterThanOrEqual(1);
    for (const client of [alice, bob]) {
      expect(groupTexts(client, groupId)).toEqual(conversation);
      expect(client.store.timelineCursors.appliedOf(groupId)).toBe(10);
    }
    expect(atAlice).toEqual(turns.map((i) => `answer ${i}`));
    expect(alice.store.messages.page(groupId, 50).filter((m) => m.outgoing)).toHaveLength(5);
  });
});
