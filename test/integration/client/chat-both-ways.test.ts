import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import type { MagpieClient } from '../../../main/client/magpie-client';
import type { StoredMessage } from '../../../main/store';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

describe('two clients chat both ways', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  function inbox(client: MagpieClient): StoredMessage[] {
    const received: StoredMessage[] = [];
    client.events.on('ingested', (result) => received.push(...result.messages.filter((m) => !m.outgoing)));
    return received;
  }

  function stateOf(client: MagpieClient, key: string): string | undefined {
    return client.store.messages.getByLocalId(Number(key))?.state;
  }

  it('text, location and custom messages go sending -> sent, arrive intact, and turn read with the peer receipt', async () => {
    server = await startTestServer();
    const alice = await fixture.client(server, 'alice');
    const bob = await fixture.client(server, 'bob');
    const toAlice = inbox(alice);
    const toBob = inbox(bob);
    await Promise.all([alice.start(), bob.start()]);
    const aliceChat = createChatService(alice);
    const bobChat = createChatService(bob);

    const place = { latitude: 31.2304, longitude: 121.4737, title: '外滩', address: 'Zhongshan East 1st Rd, Shanghai' };
    const sent = [
      await aliceChat.send('bob', { kind: 'text', text: 'hi bob 👋' }),
      await aliceChat.send('bob', { kind: 'location', location: place }),
      await aliceChat.send('bob', { kind: 'custom', command: 'order.paid', payload: '{"order":42}' }),
    ];
    expect(sent.map((m) => m.state)).toEqual(['sending', 'sending', 'sending']);
    const reply = await bobChat.send('alice', { kind: 'text', text: '你好 alice' });

    await eventually(() => toBob.length === 3 && toAlice.length === 1, 5_000, () => `bob has ${toBob.length}, alice ${toAlice.length}`);
    await eventually(() => sent.every((m) => stateOf(alice, m.key) === 'sent') && stateOf(bob, reply.key) === 'sent', 5_000);

    expect(toBob.map((m) => bobChat.view(m))).toMatchObject([
      { kind: 'text', text: 'hi bob 👋', from: 'alice', conversation: 'alice', state: 'received' },
      { kind: 'location', location: place },
      { kind: 'custom', custom: { command: 'order.paid', payload: '{"order":42}' } },
    ]);
    expect(toAlice[0]).toMatchObject({ text: '你好 alice', from: 'bob', conversation: 'bob' });
    // the server's ids and seqs were attached to the rows written before sending
    for (const view of sent) expect(alice.store.messages.getByLocalId(Number(view.key))!.msgId).toBeGreaterThan(0);

    bobChat.markRead('alice');
    await eventually(() => sent.every((m) => stateOf(alice, m.key) === 'read'), 5_000, () => `alice's states ${sent.map((m) => stateOf(alice, m.key)).join()}`);
    expect(stateOf(bob, reply.key)).toBe('sent');
    expect(bob.store.conversations.get('alice')?.unreadCount).toBe(0);
  });
});
