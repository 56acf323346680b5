import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import { messageKey } from '../../../main/views/message-view';
import type { MagpieClient } from '../../../main/client/magpie-client';
import type { ConnectionInfo, ConversationView } from '../../../preload/api';
import { deadAddress } from '../../support/dead-address';
import { openTestCore } from '../../support/test-core';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/** A free port for a test's server, the same after its restart (the clients reconnect to it). */
async function freePort(): Promise<number> {
  return Number((await deadAddress()).split(':')[1]);
}

/**
 * A chat read while the server cannot be reached (the history is in the store): the read mark must
 * reach the server once the session is back, or the sender never sees "Read" and a
 * burn-after-reading message opened offline is never burned at the sender. The mark is on disk, so
 * this holds when the app was closed before the server came back too: the next run sends it after
 * its login.
 */
describe('a chat read offline', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let work: string | undefined;
  let port = 0;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  function stateOf(client: MagpieClient, key: string): string | undefined {
    return client.store.messages.getByLocalId(Number(key))?.state;
  }

  async function twoUsersAndAServerStopped(): Promise<{ alice: MagpieClient; bob: MagpieClient; bobProfile: string; sent: string[]; burnKey: string }> {
    work = await mkdtemp(join(tmpdir(), 'magpie-read-offline-'));
    port = await freePort();
    server = await startTestServer({ dataDir: join(work, 'server'), port });
    const bobProfile = await fixture.profile();
    const alice = await fixture.client(server, 'alice');
    const bob = await fixture.client(server, 'bob', { profileDir: bobProfile });
    await Promise.all([alice.start(), bob.start()]);
    const aliceChat = createChatService(alice);
    const sent = [(await aliceChat.send('bob', { kind: 'text', text: 'lunch?' })).key, (await aliceChat.send('bob', { kind: 'text', text: 'at noon' })).key];
    const burnKey = (await aliceChat.send('bob', { kind: 'text', text: 'the door code is 4711', burnAfterReading: true })).key;
    await eventually(() => bob.store.conversations.get('alice')?.unreadCount === 3, 5_000, () => `bob has ${bob.store.conversations.get('alice')?.unreadCount} unread`);
    await eventually(() => [...sent, burnKey].every((key) => stateOf(alice, key) === 'sent'), 5_000);
    await server.stop({ keepData: true });
    await eventually(() => bob.status.state !== 'online', 5_000, () => `bob is ${bob.status.state}`);
    return { alice, bob, bobProfile, sent, burnKey };
  }

  async function restartServer(): Promise<TestServer> {
    server = await startTestServer({ dataDir: join(work!, 'server'), port });
    return server;
  }

  it('tells the server once online again: the sender sees its messages read', async () => {
    const { alice, bob, sent } = await twoUsersAndAServerStopped();
    createChatService(bob).markRead('alice');
    await restartServer();
    await eventually(() => bob.status.state === 'online', 15_000, () => `bob is ${bob.status.state}`);
    await eventually(() => sent.every((key) => stateOf(alice, key) === 'read'), 10_000, () => `alice's states ${sent.map((key) => stateOf(alice, key)).join()}`);
  }, 40_000);

  it('a burn-after-reading message opened offline is burned at the sender once online again', async () => {
    const { alice, bob, burnKey } = await twoUsersAndAServerStopped();
    const onBob = bob.store.messages.page('alice', 10).find((m) => m.burnAfterReading)!;
    createChatService(bob).burn(messageKey(onBob));
    await restartServer();
    await eventually(() => bob.status.state === 'online', 15_000, () => `bob is ${bob.status.state}`);
    await eventually(() => alice.store.messages.getByLocalId(Number(burnKey))?.burned === true, 10_000, () => `alice's copy: ${JSON.stringify(alice.store.messages.getByLocalId(Number(burnKey)))}`);
  }, 40_000);

  /** Bob's app quits (its store closed), the server comes back, and bob's app starts again from its files. */
  async function closeRestartReopen(bob: MagpieClient, bobProfile: string): Promise<MagpieClient> {
    bob.close();
    await bob.store.closed;
    const again = await fixture.client(await restartServer(), 'bob', { profileDir: bobProfile });
    createChatService(again);
    await again.start();
    return again;
  }

  it('the app closed before the server is back: the next run sends the mark after its login, the sender sees its messages read', async () => {
    const { alice, bob, bobProfile, sent } = await twoUsersAndAServerStopped();
    createChatService(bob).markRead('alice');
    const again = await closeRestartReopen(bob, bobProfile);
    await eventually(() => sent.every((key) => stateOf(alice, key) === 'read'), 10_000, () => `alice's states ${sent.map((key) => stateOf(alice, key)).join()}`);
    // accepted by the server, the mark is no longer kept
    await eventually(() => again.store.unsentReads.all().length === 0, 5_000, () => `bob still keeps ${JSON.stringify(again.store.unsentReads.all())}`);
  }, 40_000);

  it('the app closed before the server is back: a burn-after-reading message opened offline burns at the sender in the next run', async () => {
    const { alice, bob, bobProfile, burnKey } = await twoUsersAndAServerStopped();
    const onBob = bob.store.messages.page('alice', 10).find((m) => m.burnAfterReading)!;
    createChatService(bob).burn(messageKey(onBob));
    const again = await closeRestartReopen(bob, bobProfile);
    await eventually(() => alice.store.messages.getByLocalId(Number(burnKey))?.burned === true, 10_000, () => `alice's copy: ${JSON.stringify(alice.store.messages.getByLocalId(Number(burnKey)))}`);
    await eventually(() => again.store.unsentReads.all().length === 0, 5_000);
    expect(again.store.messages.getByLocalId(onBob.localId)?.burned).toBe(true);
  }, 40_000);

  it('the desktop core: a chat opened offline, the shell restarted and the login restored, the sender sees Read', async () => {
    work = await mkdtemp(join(tmpdir(), 'magpie-read-offline-'));
    port = await freePort();
    server = await startTestServer({ dataDir: join(work, 'server'), port });
    const alice = await fixture.client(server, 'alice');
    await alice.start();
    const bobProfile = await fixture.profile();
    const first = openTestCore(bobProfile);
    let second: ReturnType<typeof openTestCore> | undefined;
    try {
      await first.handlers['session.login']({ servers: [`127.0.0.1:${port}`], appId: server.appId, auth: { type: 'appToken', user: 'bob', token: server.appToken }, remember: true });
      const sent = (await createChatService(alice).send('bob', { kind: 'text', text: 'lunch?' })).key;
      const bobUnread = () => (first.handlers['conversations.list']({}) as ConversationView[]).find((c) => c.id === 'alice')?.unread;
      await eventually(() => bobUnread() === 1, 5_000, () => `bob has ${bobUnread()} unread`);
      await eventually(() => stateOf(alice, sent) === 'sent', 5_000);
      await server.stop({ keepData: true });
      await eventually(() => (first.handlers['session.connection']({}) as ConnectionInfo).state !== 'online', 5_000);
      await first.handlers['conversation.markRead']({ conversation: 'alice' });
      await first.shutdown();

      await restartServer();
      second = openTestCore(bobProfile);
      expect(second.handlers['session.restore']({})).toMatchObject({ userId: 'bob' });
      await eventually(() => stateOf(alice, sent) === 'read', 15_000, () => `alice's message is ${stateOf(alice, sent)}`);
    } finally {
      await first.shutdown();
      await second?.shutdown();
    }
  }, 40_000);
});
