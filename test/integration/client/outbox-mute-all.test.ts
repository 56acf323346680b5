import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import type { MessageView } from '../../../preload/api';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { waitFor } from '../rest/rest-fixture';
import { createClientFixture, type TestCore } from './client-fixture';

/**
 * A member writes to a group while away; by the time the outbox goes out, the owner has turned on
 * mute all. The message fails with its reason, stays in the chat, and goes once mute all is lifted.
 */
describe("a plain member's queued message to a group that mute all closed meanwhile", () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  const wires: TestClient[] = [];

  afterAll(async () => {
    await Promise.all(wires.map((w) => w.close()));
    await fixture.cleanup();
    await server?.stop();
  });

  async function owner(s: TestServer): Promise<TestClient> {
    const wire = await TestClient.connect(s.port);
    wires.push(wire);
    await wire.hello();
    await wire.loginWithAppToken(s.appId, s.appToken, 'ann', { device: pb.DeviceKind.BOT });
    return wire;
  }
  const setMuteAll = (wire: TestClient, groupId: string, muteAll: boolean) =>
    wire.ask('GROUP', { op: { case: 'modify', value: { groupId, muteAll } } }, 'GROUP_RESULT');

  async function messageOf(core: TestCore, groupId: string, key: string): Promise<MessageView | undefined> {
    const page = await core.call('messages.page', { conversation: groupId });
    return page.ok ? page.value.messages.find((m) => m.key === key) : undefined;
  }
  async function settled(core: TestCore, groupId: string, key: string, state: MessageView['state']): Promise<MessageView> {
    let seen: MessageView | undefined;
    await waitFor(async () => (seen = await messageOf(core, groupId, key))?.state === state, 10_000, `the message ${state} (it is ${seen?.state})`);
    return seen!;
  }

  it('fails with GROUP_MUTED_ALL and the reason when flushed, is kept, fails again while still muted, and sends on Retry once lifted', async () => {
    server = await startTestServer();
    let ann = await owner(server);
    const created = await ann.ask('GROUP', { op: { case: 'create', value: { name: 'Quiet room', mode: pb.GroupMode.PUBLIC, members: ['bob'] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    const bob = await fixture.core(server, 'bob');
    await waitFor(async () => (await bob.call('group.info', { groupId })).ok, 10_000, 'bob to know the group');

    // bob is cut off (the server is down) and writes: the message waits in the outbox
    const { dataDir, port, httpPort } = server;
    await ann.close();
    await server.stop({ keepData: true });
    await waitFor(async () => {
      const status = await bob.call('session.connection', {});
      return status.ok && status.value.state !== 'online';
    }, 5_000, 'bob offline');
    const written = await bob.call('message.send', { conversation: groupId, content: { kind: 'text', text: 'written while away' } });
    if (!written.ok) throw new Error(written.error.message);
    expect(written.value.state).toBe('sending');
    const { key } = written.value;
    await bob.core.shutdown();

    // meanwhile the owner closes the group to plain members
    server = await startTestServer({ dataDir, port, httpPort });
    ann = await owner(server);
    await setMuteAll(ann, groupId, true);

    // bob's app starts again: the outbox goes out and the server refuses it
    const back = await fixture.core(server, 'bob', { profileDir: bob.profileDir });
    const failed = await settled(back, groupId, key, 'failed');
    expect(failed).toMatchObject({ text: 'written while away', errorCode: ErrorCode.GROUP_MUTED_ALL, errorMessage: expect.stringMatching(/^all members of /) });
    expect(back.upserted().filter((m) => m.key === key).at(-1)).toMatchObject({ state: 'failed', errorCode: ErrorCode.GROUP_MUTED_ALL });
    await waitFor(async () => {
      const info = await back.call('group.info', { groupId });
      return info.ok && info.value.muteAll;
    }, 10_000, "bob's group to say mute all");

    // Retry while it is still on: refused again, still kept
    const early = await back.call('message.retry', { key });
    expect(early.ok && early.value.state).toBe('sending');
    const again = await settled(back, groupId, key, 'failed');
    expect(again).toMatchObject({ errorCode: ErrorCode.GROUP_MUTED_ALL, text: 'written while away' });

    // lifted: Retry sends it, and the owner gets it
    await setMuteAll(ann, groupId, false);
    await waitFor(async () => {
      const info = await back.call('group.info', { groupId });
      return info.ok && !info.value.muteAll;
    }, 10_000, "bob's group to say mute all is off");
    const retried = await back.call('message.retry', { key });
    expect(retried.ok && retried.value.state).toBe('sending');
    const sent = await settled(back, groupId, key, 'sent');
    expect(sent.errorCode).toBeUndefined();
    const inbox = await ann.ask('SYNC', { afterSeq: 0n, limit: 200 }, 'SYNC_PAGE');
    const got = inbox.entries.flatMap((e) => (e.item.case === 'message' && e.item.value.text === 'written while away' ? [e.item.value] : []));
    expect(got.map((m) => m.from)).toEqual(['bob']);
    const copies = await back.call('messages.page', { conversation: groupId });
    expect(copies.ok && copies.value.messages.filter((m) => m.text === 'written while away').length).toBe(1);
  }, 60_000);
});
