import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, pb } from '../../../protocol';
import type { MessageView } from '../../../preload/api';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { clientId } from '../server/chat-fixture';
import { createClientFixture, eventually } from './client-fixture';

/**
 * A large group's messages stamped with one millisecond (the server's clock held still) keep their
 * timeline seqs in the store and the views, and sit in the chat and in `magpie history` in the
 * timeline's order. A notice of that millisecond has no timeline seq: it comes after them
 * (docs/client.md, "One order in a conversation").
 */
describe('a large group\'s items of the same millisecond', () => {
  const fixture = createClientFixture();
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let root: string;
  const raw: TestClient[] = [];
  let n = 1;

  beforeAll(async () => {
    // every group read-diffused; the clock never moves (the test fires the push coalescing's
    // zero-length timers with advance(0)), and the request budget must not need refilling
    server = await startTestServer({
      clock,
      tuning: { groupTimelineThreshold: 2, largeGroupPushIntervalMs: 0, requestsPerSecond: 100_000, requestBurst: 100_000 },
    });
    root = await mkdtemp(join(tmpdir(), 'magpie-large-same-ms-'));
  });
  afterAll(async () => {
    await Promise.all(raw.map((client) => client.close()));
    await fixture.cleanup();
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  async function user(id: string): Promise<TestClient> {
    const client = await TestClient.connect(server.port);
    raw.push(client);
    await client.hello();
    await client.loginWithAppToken(server.appId, server.appToken, id);
    return client;
  }

  const say = (from: TestClient, to: string, text: string) =>
    from.ask('SEND', { clientMsgId: clientId(n++), to, type: pb.MessageType.TEXT, text }, 'SENT');
  const shown = (m: MessageView): string => (m.notice ? `notice:${m.notice.kind}` : m.text);

  it('places the timeline\'s messages by their timeline seqs, one\'s own among them, and keeps the seqs', { timeout: 60_000 }, async () => {
    const ann = await user('ann01');
    const carol = await user('carol01');
    const created = await ann.ask('GROUP', { op: { case: 'create', value: { name: 'Big', members: ['bob01', 'carol01'] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    const bob = await fixture.core(server, 'bob01');
    // the group's creation a millisecond earlier: its notice and the messages below share none
    clock.advance(1);

    const one = await say(carol, groupId, 'one');
    expect(Number(one.timelineSeq)).toBe(1);
    const two = await bob.call('message.send', { conversation: groupId, content: { kind: 'text', text: 'two' } });
    expect(two.ok).toBe(true);
    const twoKey = two.ok ? two.value.key : '';
    await eventually(
      () => {
        clock.advance(0);
        return bob.upserted().some((m) => m.key === twoKey && m.state === 'sent');
      },
      10_000,
      () => 'bob\'s own message sent',
    );
    await ann.ask('GROUP', { op: { case: 'modify', value: { groupId, name: 'Big 2' } } }, 'GROUP_RESULT');
    const three = await say(carol, groupId, 'three');
    expect(Number(three.timelineSeq)).toBe(3);
    expect(Number(three.timeMs)).toBe(clock.now());

    let page: MessageView[] = [];
    await eventually(
      () => {
        clock.advance(0);
        void bob.call('messages.page', { conversation: groupId }).then((answer) => {
          if (answer.ok) page = answer.value.messages;
        });
        return page.filter((m) => m.kind !== 'notice').length === 3 && page.some((m) => m.notice?.kind === 'modify');
      },
      10_000,
      () => `bob's page of ${groupId}: ${page.map(shown).join(', ')}`,
    );
    const said = page.filter((m) => m.kind !== 'notice');
    expect(said.map((m) => [m.text, m.timelineSeq, m.timeMs])).toEqual([
      ['one', 1, clock.now()],
      ['two', 2, clock.now()],
      ['three', 3, clock.now()],
    ]);
    // bob's own message came back through the inbox as well
    expect(said[1]?.seq).toBeGreaterThan(0);
    // the rename was stored between "two" and "three", but nothing says where it falls in the timeline
    expect(page.map(shown).slice(-5)).toEqual(['notice:create', 'one', 'two', 'three', 'notice:modify']);

    // another device pulls the inbox, then the timeline, and shows the same order
    const history = await magpie([...cliLoginArgs(server, root, 'bob01'), 'history', '--group', groupId]);
    expect(history.code, history.stderr).toBe(0);
    const label = (line: Record<string, unknown>): string => (line['type'] === 'notice' ? `notice:${String(line['notice'])}` : String(line['text']));
    expect(history.lines.map(label).slice(-5)).toEqual(['notice:create', 'one', 'two', 'three', 'notice:modify']);
  });
});
