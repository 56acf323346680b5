import { fromBinary } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameType, pb, type Frame } from '../../../protocol';
import { createChatService } from '../../../main/chat/chat-service';
import type { MagpieClient } from '../../../main/client/magpie-client';
import { startFrameTap, type FrameTap } from '../../support/frame-tap';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from '../client/client-fixture';

/**
 * A resend of a large group's message (read diffusion, protocol 2.1) whose first SENT was lost:
 * the server finds the stored message by its client id and answers the same SENT again, its
 * timeline seq included (docs/protocol.md, Sent), so the client applies its own message at its
 * place in the timeline as after a first SENT, with no TIMELINE_SYNC of its own. A real server
 * (SQLite, or PostgreSQL in the postgres project: the lookup is the store's) and a real client
 * core, the SENT lost on the wire by a proxy between them.
 */
describe('the SENT of a resend to a large group carries the timeline seq', () => {
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

  function groupTexts(client: MagpieClient, groupId: string): string[] {
    return client.store.db.prepare('SELECT text FROM messages WHERE conversation = ? ORDER BY msg_id').pluck().all(groupId) as string[];
  }

  const sents = (t: FrameTap): pb.Sent[] => t.frames.filter((f) => f.direction === 'down' && f.name === 'SENT').map((f) => fromBinary(pb.SentSchema, f.frame.body));

  /**
   * alice (behind the tap, which loses her first SENT as `fate` says) and bob, in a group read-
   * diffused from 2 members; bob says 'before', alice 'mine' (its SENT lost), bob 'after'.
   */
  async function converse(fate: 'cut' | 'drop'): Promise<{ t: FrameTap; alice: MagpieClient; groupId: string; timelinePullsBefore: number }> {
    server = await startTestServer({ tuning: { groupTimelineThreshold: 2, requestsPerSecond: 100_000, requestBurst: 100_000 } });
    let lost = false;
    const loseDown = (frame: Frame): 'pass' | 'drop' | 'cut' => {
      if (lost || frame.type !== FrameType.SENT) return 'pass';
      lost = true;
      return fate;
    };
    const t = await startFrameTap(server.port, { loseDown });
    tap = t;
    const alice = await fixture.client(server, 'alice', { servers: [t.address] });
    const bob = await fixture.client(server, 'bob');
    await Promise.all([alice.start(), bob.start()]);
    const created = await bob.request('GROUP', { op: { case: 'create', value: { name: 'Big', members: ['alice'] } } });
    const groupId = (created.body.result.value as pb.GroupInfo).groupId;
    const bobChat = createChatService(bob);
    await bobChat.send(groupId, { kind: 'text', text: 'before' });
    await eventually(() => groupTexts(alice, groupId).length === 1, 5_000, () => `alice has ${groupTexts(alice, groupId).join(', ')}`);
    await alice.syncIdle();
    const timelinePullsBefore = t.count('up', 'TIMELINE_SYNC');

    await createChatService(alice).send(groupId, { kind: 'text', text: 'mine' });
    // the first SENT is lost, the resend's answered: the message leaves the outbox
    const sent = () => alice.store.messages.page(groupId, 50).filter((m) => m.outgoing && m.state === 'sent').length === 1;
    await eventually(sent, 10_000, () => `alice's message is ${JSON.stringify(alice.store.messages.page(groupId, 50).filter((m) => m.outgoing).map((m) => m.state))}`);
    await alice.syncIdle();
    expect(alice.store.timelineCursors.appliedOf(groupId)).toBe(2);

    await bobChat.send(groupId, { kind: 'text', text: 'after' });
    await eventually(() => groupTexts(alice, groupId).length === 3, 5_000, () => `alice has ${groupTexts(alice, groupId).join(', ')}`);
    await alice.syncIdle();
    return { t, alice, groupId, timelinePullsBefore };
  }

  function expectOnceInOrder(alice: MagpieClient, groupId: string): void {
    expect(groupTexts(alice, groupId)).toEqual(['before', 'mine', 'after']);
    expect(alice.store.timelineCursors.appliedOf(groupId)).toBe(3);
    const own = alice.store.messages.page(groupId, 50).filter((m) => m.outgoing);
    expect(own.map((m) => [m.text, m.state])).toEqual([['mine', 'sent']]);
  }

  it('the connection cut after the server stored the message: the resend on the next one is answered with the timeline seq', async () => {
    const { t, alice, groupId, timelinePullsBefore } = await converse('cut');
    // the first SENT (cut with its connection) and the resend's: the same message, its timeline seq in both
    const [first, again] = sents(t);
    expect(sents(t)).toHaveLength(2);
    expect(t.count('up', 'SEND')).toBe(2);
    expect([again!.msgId, again!.seq, again!.timelineSeq]).toEqual([first!.msgId, first!.seq, 2n]);
    // the login on the new connection pulls the timelines once, as every login does; nothing more
    expect(t.count('up', 'TIMELINE_SYNC') - timelinePullsBefore).toBe(1);
    expectOnceInOrder(alice, groupId);
  });

  it('a SENT later than the request timeout (a stalled commit): the resend on the same connection is answered with the timeline seq, and no pull follows', async () => {
    const { t, alice, groupId, timelinePullsBefore } = await converse('drop');
    const [first, again] = sents(t);
    expect(sents(t)).toHaveLength(2);
    expect([again!.msgId, again!.seq, again!.timelineSeq]).toEqual([first!.msgId, first!.seq, 2n]);
    // bob's reply continues the timeline after alice's own entry: no TIMELINE_SYNC at all
    expect(t.count('up', 'TIMELINE_SYNC') - timelinePullsBefore).toBe(0);
    expectOnceInOrder(alice, groupId);
  });
});
