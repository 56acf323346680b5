import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import { createMediaAccess } from '../../../main/files/media-access';
import { createMediaOutbox } from '../../../main/files/media-outbox';
import { ErrorCode, MagpieError } from '../../../protocol';
import type { StoredMessage } from '../../../main/store';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/** A picture sent while the server is down waits like a text, and goes after the texts sent before it. */
describe('media sent while offline', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('waits in the outbox (sending, never failed), uploads once connected, and keeps the order it was sent in on both sides', async () => {
    server = await startTestServer();
    const profileDir = await fixture.profile();
    const picture = join(profileDir, 'picture.bin');
    await writeFile(picture, randomBytes(64 * 1024));

    const bob = await fixture.client(server, 'bob');
    const toBob: StoredMessage[] = [];
    bob.events.on('ingested', (result) => toBob.push(...result.messages));
    await bob.start();
    const alice = await fixture.client(server, 'alice', { profileDir });
    const chat = createChatService(alice);
    const outbox = createMediaOutbox({ client: alice, access: createMediaAccess(alice), log: pino({ level: 'silent' }) });
    try {
      await alice.start();
      const { port, dataDir } = server;
      await server.stop({ keepData: true });
      server = undefined;
      await eventually(() => alice.status.state !== 'online', 10_000, () => alice.status.state);

      await chat.send('bob', { kind: 'text', text: 'one' });
      await chat.send('bob', { kind: 'text', text: 'two' });
      const sent = await outbox.send({ to: 'bob', path: picture, kind: 'file' });
      await outbox.settled(sent.clientMsgId!);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // it waits as the texts do: no failure to retry by hand
      expect(alice.store.messages.getByClientMsgId(sent.clientMsgId!)?.state).toBe('sending');

      // what alice's chat shows at every change from here on
      const shown = (m: StoredMessage) => m.text || m.body.media?.name || '';
      const orders: string[] = [];
      const look = () => orders.push(alice.store.messages.page('bob', 10).map(shown).join(','));
      alice.events.on('outgoing', look);
      alice.events.on('ingested', look);
      server = await startTestServer({ dataDir, port });
      await eventually(() => toBob.length >= 3, 20_000, () => `bob has ${toBob.length} messages`);
      await eventually(() => alice.store.messages.page('bob', 10).every((m) => m.state === 'sent'), 10_000, () => 'alice to see all three sent');

      expect(toBob.map(shown)).toEqual(['one', 'two', 'picture.bin']);
      look();
      // never the picture above the texts sent before it, not even while it uploads
      expect(new Set(orders)).toEqual(new Set(['one,two,picture.bin']));
    } finally {
      outbox.dispose();
    }
  });

  it('starts again, rather than failing, when the link came back while its upload was still giving up', async () => {
    server = await startTestServer();
    const profileDir = await fixture.profile();
    const picture = join(profileDir, 'picture.bin');
    await writeFile(picture, randomBytes(64 * 1024));
    const bob = await fixture.client(server, 'bob');
    await bob.start();
    const alice = await fixture.client(server, 'alice', { profileDir });
    const access = createMediaAccess(alice);
    // the first upload's first call ends as a cut does, but only once the link is back (a new login)
    let firstCall = true;
    const outbox = createMediaOutbox({
      client: alice,
      log: pino({ level: 'silent' }),
      access: {
        grant: async () => {
          if (!firstCall) return access.grant();
          firstCall = false;
          await once(alice.events, 'login');
          throw new MagpieError(ErrorCode.NOT_CONNECTED, 'the connection went while uploading');
        },
        dispose: () => access.dispose(),
      },
    });
    try {
      await alice.start();
      const sent = await outbox.send({ to: 'bob', path: picture, kind: 'file' });
      const { port, dataDir } = server;
      await server.stop({ keepData: true });
      await eventually(() => alice.status.state !== 'online', 10_000, () => alice.status.state);
      server = await startTestServer({ dataDir, port });
      await eventually(() => alice.store.messages.getByClientMsgId(sent.clientMsgId!)?.state === 'sent', 20_000, () => JSON.stringify(alice.store.outbox.get(sent.clientMsgId!)));
    } finally {
      outbox.dispose();
    }
  });
});
