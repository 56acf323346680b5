import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb, systemClock, type Clock } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * A message being sent stands at the server's time as the client reckoned it at login, until its
 * SENT brings the server's own. That reckoning is good to a few milliseconds on a quiet link, and
 * goes stale when the server's clock is set forward after the login: either way, a reply sent at
 * once to a message just received must not stand above that message.
 */
describe('a reply sent at once', () => {
  let server: TestServer;
  let serverAheadMs = 0;
  const fixture = createClientFixture();
  const serverClock: Clock = { ...systemClock, now: () => Date.now() + serverAheadMs };

  beforeAll(async () => {
    server = await startTestServer({ clock: serverClock });
  });
  afterAll(async () => {
    await fixture.cleanup();
    await server.stop();
  });

  it('stands below the message it answers while it is sent, though the server’s clock moved ahead since the login', async () => {
    const carol = await fixture.core(server, 'carol-reply');
    const dave = await fixture.client(server, 'dave-reply');
    await dave.start();
    // the server's clock is set 5 s forward after carol's client reckoned it
    serverAheadMs = 5_000;
    const receipt = await dave.request('SEND', { to: 'carol-reply', clientMsgId: new Uint8Array(16).fill(9), type: pb.MessageType.TEXT, text: 'are you there?' });
    const askedMs = Number(receipt.body.timeMs);
    await eventually(() => carol.upserted().some((m) => m.text === 'are you there?'), 10_000, () => 'dave’s message at carol');

    const reply = await carol.call('message.send', { conversation: 'dave-reply', content: { kind: 'text', text: 'yes' } });
    if (!reply.ok) throw new Error(reply.error.message);
    // the view the page draws while the reply is sent
    expect(reply.value.timeMs).toBeGreaterThanOrEqual(askedMs);
  });
});
