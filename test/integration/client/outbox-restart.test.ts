import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import { openClientStore, type StoredMessage } from '../../../main/store';
import { deadAddress } from '../../support/dead-address';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

describe('the outbox survives a restart', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('messages written while the server is unreachable stay sending in SQLite, and a new client on the profile sends them', async () => {
    server = await startTestServer();
    const profileDir = await fixture.profile();
    const offline = await fixture.client(server, 'alice', { profileDir, servers: [await deadAddress()] });
    offline.start().catch(() => undefined);
    const chat = createChatService(offline);
    const written = [
      await chat.send('bob', { kind: 'text', text: 'first, while down' }),
      await chat.send('bob', { kind: 'text', text: 'second, while down' }),
      await chat.send('bob', { kind: 'location', location: { latitude: 1, longitude: 2, title: 'here', address: '' } }),
    ];
    await eventually(() => offline.status.state === 'reconnecting', 3_000, () => offline.status.state);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a few failed attempts
    offline.close();

    // what is on disk: every message still sending, with its outbox row
    const onDisk = openClientStore({ profileDir, appId: server.appId, userId: 'alice' });
    try {
      expect(written.map((m) => onDisk.messages.getByLocalId(Number(m.key))?.state)).toEqual(['sending', 'sending', 'sending']);
      expect(onDisk.outbox.pending().map((item) => item.clientMsgId)).toEqual(written.map((m) => m.clientMsgId));
    } finally {
      onDisk.close();
      await onDisk.closed;
    }

    const bob = await fixture.client(server, 'bob');
    const toBob: StoredMessage[] = [];
    bob.events.on('ingested', (result) => toBob.push(...result.messages));
    await bob.start();

    const restarted = await fixture.client(server, 'alice', { profileDir });
    await restarted.start();
    await eventually(() => toBob.length === 3, 5_000, () => `bob has ${toBob.length}`);
    await eventually(() => restarted.store.outbox.pending().length === 0, 5_000);

    expect(toBob.map((m) => m.text)).toEqual(['first, while down', 'second, while down', '']);
    expect(toBob[2]!.body.location?.title).toBe('here');
    const after = written.map((m) => restarted.store.messages.getByLocalId(Number(m.key))!);
    expect(after.map((m) => m.state)).toEqual(['sent', 'sent', 'sent']);
    // sent with the ids they were written with: the server saw each exactly once
    expect(after.map((m) => m.clientMsgId)).toEqual(written.map((m) => m.clientMsgId));
    expect(new Set(toBob.map((m) => m.msgId))).toEqual(new Set(after.map((m) => m.msgId)));
  });
});
