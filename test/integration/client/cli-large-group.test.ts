import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';

/**
 * The magpie CLI in a large group (read diffusion from 3 members on): its messages come from the
 * group's timeline, its notices from the inbox, and the CLI prints them as they happened.
 */
describe('the magpie CLI in a large group', () => {
  let server: TestServer;
  let root: string;
  let alice: TestClient;
  let counter = 0;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer({ tuning: { groupTimelineThreshold: 3 } });
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-large-'));
    alice = await TestClient.connect(server.port);
    await alice.hello();
    await alice.loginWithAppToken(server.appId, server.appToken, 'alice01');
  });
  afterAll(async () => {
    await alice.close();
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  async function createGroup(members: string[]): Promise<string> {
    const result = await alice.ask('GROUP', { op: { case: 'create', value: { name: 'Big', members } } }, 'GROUP_RESULT');
    return (result.result.value as pb.GroupInfo).groupId;
  }

  async function say(groupId: string, text: string): Promise<void> {
    counter += 1;
    const clientMsgId = new Uint8Array(16);
    new DataView(clientMsgId.buffer).setUint32(12, counter);
    await alice.ask('SEND', { clientMsgId, to: groupId, type: pb.MessageType.TEXT, text }, 'SENT');
    // distinct milliseconds: the order under test is the order in time
    await new Promise((resolve) => setTimeout(resolve, 5));
  }

  const label = (line: Record<string, unknown>): string => (line['type'] === 'notice' ? `notice:${String(line['notice'])}` : String(line['text']));

  it('listen after a while offline prints the timeline\'s messages and the inbox\'s notices in the order they happened', { timeout: 60_000 }, async () => {
    const groupId = await createGroup(['bob01', 'carol01', 'dan01']);
    // the create notice in a millisecond of its own too: an inbox notice and a timeline message of
    // the same millisecond have no order in time to keep
    await new Promise((resolve) => setTimeout(resolve, 5));
    await say(groupId, 't1');
    await say(groupId, 't2');
    await alice.ask('GROUP', { op: { case: 'kick', value: { groupId, users: ['carol01'] } } }, 'GROUP_RESULT');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await say(groupId, 't3');

    const listen = await magpie(as('bob01', 'listen', '--count', '5'));
    expect(listen.code).toBe(0);
    expect(listen.lines.map(label)).toEqual(['notice:create', 't1', 't2', 'notice:kick', 't3']);
    const history = await magpie(as('bob01', 'history', '--group', groupId, '--offline'));
    expect(history.lines.map(label)).toEqual(['notice:create', 't1', 't2', 'notice:kick', 't3']);
  });
});
