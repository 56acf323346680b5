import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import { messageKey } from '../../../main/views/message-view';
import type { MagpieClient } from '../../../main/client/magpie-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/** The server's client port for these tests, the same after its restart (the clients reconnect to it). */
const PORT = 22040;

/**
 * A chat read while the server cannot be reached (the history is in the store): the read mark must
 * reach the server once the session is back, or the sender never sees "Read" and a burn-after-reading
 * message opened offline is never burned at the sender.
 */
describe('a chat read while offline', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let work: string | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  function stateOf(client: MagpieClient, key: string): string | undefined {
    return client.store.messages.getByLocalId(Number(key))?.state;
  }

  async function twoUsersAndAServerStopped(): Promise<{ alice: MagpieClient; bob: MagpieClient; sent: string[]; burnKey: string }> {
    work = await mkdtemp(join(tmpdir(), 'magpie-read-offline-'));
    server = await startTestServer({ dataDir: join(work, 'server'), port: PORT });
    const alice = await fixture.client(server, 'alice');
    const bob = await fixture.client(server, 'bob');
    await Promise.all([alice.start(), bob.start()]);
    const aliceChat = createChatService(alice);
    const sent = [(await aliceChat.send('bob', { kind: 'text', text: 'lunch?' })).key, (await aliceChat.send('bob', { kind: 'text', text: 'at noon' })).key];
    const burnKey = (await aliceChat.send('bob', { kind: 'text', text: 'the door code is 4711', burnAfterReading: true })).key;
    await eventually(() => bob.store.conversations.get('alice')?.unreadCount === 3, 5_000, () => `bob has ${bob.store.conversations.get('alice')?.unreadCount} unread`);
    await eventually(() => [...sent, burnKey].every((key) => stateOf(alice, key) === 'sent'), 5_000);
    await server.stop({ keepData: true });
    await eventually(() => bob.status.state !== 'online', 5_000, () => `bob is ${bob.status.state}`);
    return { alice, bob, sent, burnKey };
  }

  async function restartServer(): Promise<void> {
    server = await startTestServer({ dataDir: join(work!, 'server'), port: PORT });
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
    const bobChat = createChatService(bob);
    const onBob = bob.store.messages.page('alice', 10).find((m) => m.burnAfterReading)!;
    bobChat.burn(messageKey(onBob));
    await restartServer();
    await eventually(() => bob.status.state === 'online', 15_000, () => `bob is ${bob.status.state}`);
    await eventually(() => alice.store.messages.getByLocalId(Number(burnKey))?.burned === true, 10_000, () => `alice's copy: ${JSON.stringify(alice.store.messages.getByLocalId(Number(burnKey)))}`);
  }, 40_000);
});
