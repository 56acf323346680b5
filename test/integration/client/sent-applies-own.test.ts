import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import type { MagpieClient } from '../../../main/client/magpie-client';
import type { StoredMessage } from '../../../main/store';
import { startFrameTap, type FrameTap } from '../../support/frame-tap';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * SENT carries the seq of one's own message in one's own inbox (docs/protocol.md, section 7): the
 * client applies it, so the reply that follows continues the sequence and needs no SYNC.
 */
describe('SENT stands for the own copy', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let tap: FrameTap | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await tap?.close();
    await server?.stop();
  });

  function received(client: MagpieClient): StoredMessage[] {
    const out: StoredMessage[] = [];
    client.events.on('ingested', (result) => out.push(...result.messages.filter((m) => !m.outgoing)));
    return out;
  }

  it('5 sends and 5 replies: no SYNC for one’s own sends, every seq applied in order', async () => {
    server = await startTestServer();
    tap = await startFrameTap(server.port);
    const alice = await fixture.client(server, 'alice', { servers: [tap.address] });
    const bob = await fixture.client(server, 'bob');
    const toAlice = received(alice);
    const toBob = received(bob);
    await Promise.all([alice.start(), bob.start()]);
    await alice.syncIdle();
    const pullsAtLogin = tap.count('up', 'SYNC');
    const aliceChat = createChatService(alice);
    const bobChat = createChatService(bob);

    for (let i = 0; i < 5; i++) {
      await aliceChat.send('bob', { kind: 'text', text: `question ${i}` });
      await eventually(() => toBob.length === i + 1, 5_000, () => `bob has ${toBob.length}`);
      await bobChat.send('alice', { kind: 'text', text: `answer ${i}` });
      await eventually(() => toAlice.length === i + 1, 5_000, () => `alice has ${toAlice.length}`);
    }
    await alice.syncIdle();

    expect(tap.count('up', 'SEND')).toBe(5);
    expect(tap.count('up', 'SYNC') - pullsAtLogin).toBe(0);
    expect(alice.store.syncState.get().appliedSeq).toBe(10);
    expect(toAlice.map((m) => m.text)).toEqual([0, 1, 2, 3, 4].map((i) => `answer ${i}`));
    // each own message is sent once, with the server's ids, and shown once
    const own = alice.store.messages.page('bob', 50).filter((m) => m.outgoing);
    expect(own.map((m) => [m.text, m.state, m.msgId! > 0])).toEqual(
      expect.arrayContaining([0, 1, 2, 3, 4].map((i) => [`question ${i}`, 'sent', true])),
    );
    expect(own).toHaveLength(5);
  });
});
