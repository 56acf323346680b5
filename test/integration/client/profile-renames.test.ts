import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import type { ConversationView, EventPayloads } from '../../../preload/api';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { clientId } from '../server/chat-fixture';
import { createClientFixture, eventually, type TestCore } from './client-fixture';

/**
 * No event tells of another user's new nickname: a message from them brings it (once the last
 * ask is older than the tuning's profileRecheckMs), so the chat list, the header and the
 * notification name them by it without opening the chat; and a sign-in asks for the names of a
 * list longer than one query may hold.
 */
describe('names follow renames', () => {
  const fixture = createClientFixture();
  let server: TestServer;
  let bob: TestClient;
  let n = 1;

  beforeAll(async () => {
    server = await startTestServer();
    bob = await TestClient.connect(server.port);
    await bob.hello();
    await bob.loginWithAppToken(server.appId, server.appToken, 'bob');
  });
  afterAll(async () => {
    await bob.close();
    await fixture.cleanup();
    await server.stop();
  });

  const titles = (core: TestCore, id: string): string[] =>
    core.events.filter((e) => e.event === 'conversation.updated').map((e) => (e.payload as { conversation: ConversationView }).conversation).filter((c) => c.id === id).map((c) => c.title);
  const renamed = (core: TestCore): string[] =>
    core.events.filter((e) => e.event === 'profiles.updated').flatMap((e) => (e.payload as EventPayloads['profiles.updated']).profiles.map((p) => p.nickname));
  const say = (to: string, text: string) => bob.ask('SEND', { clientMsgId: clientId(n++), to, type: pb.MessageType.TEXT, text }, 'SENT');

  it('a message from someone who renamed themselves brings their new name', { timeout: 20_000 }, async () => {
    const ann = await fixture.core(server, 'ann', { tuning: { profileRecheckMs: 0 } });
    await bob.ask('PROFILE_UPDATE', { nickname: 'Bob' }, 'PROFILES');
    await say('ann', 'hi');
    await eventually(() => titles(ann, 'bob').includes('Bob'), 5_000, () => `Bob in ${JSON.stringify(titles(ann, 'bob'))}`);

    await bob.ask('PROFILE_UPDATE', { nickname: 'Robert' }, 'PROFILES');
    await say('ann', 'I go by Robert now');
    await eventually(() => titles(ann, 'bob').at(-1) === 'Robert', 5_000, () => `Robert in ${JSON.stringify(titles(ann, 'bob'))}`);
    // members and bubbles follow the page's event; the notification names him so
    expect(renamed(ann)).toContain('Robert');
    await eventually(() => ann.notifications.length === 2, 5_000, () => 'two notifications');
    expect(ann.notifications[1]!.title).toContain('Robert');
  });

  it('a sign-in asks for the names of a list longer than one query takes (100 ids)', { timeout: 30_000 }, async () => {
    const first = await fixture.core(server, 'cat');
    const peers = Array.from({ length: 120 }, (_, i) => `peer${String(i).padStart(3, '0')}`);
    for (const peer of peers) {
      const sent = await first.call('message.send', { conversation: peer, content: { kind: 'text', text: 'hello' } });
      expect(sent.ok).toBe(true);
    }
    await bob.ask('PROFILE_UPDATE', { nickname: 'Bobby' }, 'PROFILES');
    await say('cat', 'hi cat');
    await eventually(() => titles(first, 'bob').length > 0, 5_000, () => 'bob at cat');
    const profileDir = first.profileDir;
    await first.core.shutdown();

    const again = await fixture.core(server, 'cat', { profileDir });
    await eventually(() => renamed(again).includes('Bobby'), 5_000, () => `Bobby in ${JSON.stringify(renamed(again))}`);
  });
});
