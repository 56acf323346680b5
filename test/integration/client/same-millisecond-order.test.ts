import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, pb } from '../../../protocol';
import type { MessageView } from '../../../preload/api';
import { cliLoginArgs, magpie, withFlag } from '../../support/cli-process';
import { deadAddress } from '../../support/dead-address';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { clientId } from '../server/chat-fixture';
import { createClientFixture, eventually } from './client-fixture';

/**
 * Items the server stamps with one millisecond (its clock held still here) sit in the chat's pages
 * and in `magpie history` in the order the server stored them, the same in both.
 */
describe('items of the same millisecond', () => {
  const fixture = createClientFixture();
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let root: string;
  const raw: TestClient[] = [];
  let n = 1;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    // the clock never moves: no idle timeout fires, and the request budget must not need refilling
    server = await startTestServer({ clock, tuning: { requestsPerSecond: 100_000, requestBurst: 100_000 } });
    root = await mkdtemp(join(tmpdir(), 'magpie-same-ms-'));
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
  const label = (line: Record<string, unknown>): string => (line['type'] === 'notice' ? `notice:${String(line['notice'])}` : String(line['text']));
  const shown = (m: MessageView): string => (m.notice ? `notice:${m.notice.kind}` : m.text);

  it('shows "created the group" above a welcome sent in its millisecond, in the chat and in magpie history', { timeout: 60_000 }, async () => {
    const ann = await user('ann01');
    const bot = await user('bot01');
    const created = await ann.ask('GROUP', { op: { case: 'create', value: { name: 'Welcome', members: ['bot01', 'bob01'] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    const welcome = await say(bot, groupId, 'welcome');
    expect(Number(welcome.timeMs)).toBe(clock.now());

    const bob = await fixture.core(server, 'bob01');
    let page: MessageView[] = [];
    await eventually(
      () => {
        void bob.call('messages.page', { conversation: groupId }).then((answer) => {
          if (answer.ok) page = answer.value.messages;
        });
        return page.length === 2;
      },
      10_000,
      () => `bob's page of ${groupId}: ${page.map(shown).join(', ')}`,
    );
    expect(page.map(shown)).toEqual(['notice:create', 'welcome']);
    expect(page.map((m) => m.timeMs)).toEqual([clock.now(), clock.now()]);

    const history = await magpie(as('bob01', 'history', '--group', groupId));
    expect(history.code, history.stderr).toBe(0);
    expect(history.lines.map(label)).toEqual(['notice:create', 'welcome']);
  });

  it('prints a one-to-one reply stored before a message sent from the outbox in that order, as the chat shows it', { timeout: 60_000 }, async () => {
    // cara's message waits in her outbox (the server down for her) and so is stored here first
    const queued = await magpie(withFlag(as('cara01', '--timeout', '1', 'send', '--to', 'dan01', '--text', 'from the outbox'), '--server', await deadAddress()));
    expect(queued.code).toBe(3);
    const dan = await user('dan01');
    await say(dan, 'cara01', 'reached the server first');
    const flushed = await magpie(as('cara01', 'outbox', 'flush'));
    expect(flushed.code, flushed.stderr).toBe(0);

    const history = await magpie(as('cara01', 'history', '--with', 'dan01', '--offline'));
    expect(history.code, history.stderr).toBe(0);
    expect(history.lines.map((line) => [line['text'], line['time']])).toEqual([
      ['reached the server first', clock.now()],
      ['from the outbox', clock.now()],
    ]);
  });
});
