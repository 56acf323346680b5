import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import type { StoredMessage } from '../../../main/store';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * A message of mine still waiting in the outbox (written while offline) and then cancelled, or
 * deleted from this device, never goes out: the outbox loses it too, not only the conversation.
 */
describe('withdrawing a message not yet sent', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('neither a cancelled nor a deleted unsent message reaches the peer; the one kept does', async () => {
    server = await startTestServer();
    const bob = await fixture.client(server, 'bob');
    const toBob: StoredMessage[] = [];
    bob.events.on('ingested', (result) => toBob.push(...result.messages));
    await bob.start();

    // alice writes three messages before her client connects: all wait in the outbox
    const alice = await fixture.client(server, 'alice');
    const chat = createChatService(alice);
    const cancelled = await chat.send('bob', { kind: 'text', text: 'cancelled before it went' });
    const deleted = await chat.send('bob', { kind: 'text', text: 'deleted before it went' });
    const kept = await chat.send('bob', { kind: 'text', text: 'kept' });
    expect(alice.store.outbox.pending().map((item) => item.clientMsgId)).toEqual([cancelled.clientMsgId, deleted.clientMsgId, kept.clientMsgId]);

    chat.cancel(cancelled.key);
    chat.deleteLocal(deleted.key);
    expect(alice.store.outbox.pending().map((item) => item.clientMsgId)).toEqual([kept.clientMsgId]);

    await alice.start();
    await eventually(() => toBob.some((m) => m.text === 'kept'), 10_000, () => 'the kept message at bob');
    // anything the outbox still held would have gone before the kept one, in order
    expect(toBob.map((m) => m.text)).toEqual(['kept']);
    expect(alice.store.outbox.pending()).toEqual([]);
  });
});
