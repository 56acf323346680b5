import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import type { EventPayloads, MessageView } from '../../../preload/api';
import { createChatService } from '../../../main/chat/chat-service';
import { createProfileService } from '../../../main/profiles/profile-service';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * The desktop core behind the contract, against a real server: what it tells the page and the
 * desktop must be true (no text lost, none shown where it must not be, no silent stop).
 */
describe('the core tells the truth', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });


  it('notifies a catch-up with each message\'s own text, under the new sender\'s nickname', async () => {
    server = await startTestServer();
    const bob = await fixture.client(server, 'bob');
    await bob.start();
    await createProfileService(bob).update({ nickname: 'Bobby' });
    const bobChat = createChatService(bob);
    const sent: MessageView[] = [];
    for (const n of [1, 2, 3]) sent.push(await bobChat.send('alice', { kind: 'text', text: `offline #${n}` }));
    await eventually(() => sent.every((m) => bob.store.messages.getByLocalId(Number(m.key))?.state === 'sent'), 5_000);

    const alice = await fixture.core(server, 'alice', { focused: false });
    await eventually(() => alice.notifications.length === 3, 5_000, () => `${alice.notifications.length} notifications`);
    expect(alice.notifications.map((n) => [n.title, n.body])).toEqual([
      ['Bobby', 'offline #1'],
      ['Bobby', 'offline #2'],
      ['Bobby', 'offline #3'],
    ]);
  });

  it('keeps a burn-after-reading message until it is opened, and never shows its text outside the chat', async () => {
    server = await startTestServer();
    const bob = await fixture.client(server, 'bob');
    await bob.start();
    const alice = await fixture.core(server, 'alice', { focused: false });
    const bobChat = createChatService(bob);
    const before = await bobChat.send('alice', { kind: 'text', text: 'plain hello' });
    const secret = await bobChat.send('alice', { kind: 'text', text: 'the vault code is 4711', burnAfterReading: true });
    await eventually(() => alice.upserted().some((m) => m.burnAfterReading), 5_000);
    await eventually(() => alice.notifications.length === 2, 5_000);
    expect(alice.notifications[1]!.body).toBe('Burn-after-reading message');

    // the chat is open and looked at: read, but the unopened message is not burned
    await alice.core.handlers['ui.state']({ focused: true, activeConversation: 'bob' });
    await alice.core.handlers['conversation.markRead']({ conversation: 'bob' });
    const bobState = (key: string) => bob.store.messages.getByLocalId(Number(key));
    await eventually(() => bobState(before.key)?.state === 'read', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bobState(secret.key)).toMatchObject({ burned: false, state: 'sent', text: 'the vault code is 4711' });

    const list = await alice.call('conversations.list', {});
    expect(list.ok && list.value.find((c) => c.id === 'bob')?.lastPreview).toBe('[burn]');
    const found = await alice.call('search.messages', { query: 'vault' });
    expect(found).toEqual({ ok: true, value: [] });

    // opened, countdown over: burned here at once, and at the sender through the READ that covers it
    const received = alice.upserted().find((m) => m.burnAfterReading)!;
    const burned = await alice.call('message.burn', { key: received.key });
    expect(burned).toMatchObject({ ok: true, value: { burned: true, text: '' } });
    await eventually(() => bobState(secret.key)?.burned === true, 5_000, () => JSON.stringify(bobState(secret.key)));
    expect(bobState(secret.key)?.text).toBe('');
  });

  it('refuses an over-long text at the contract with the shared limit, and a failed message says why', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice', { focused: true });
    const tooLong = await alice.call('message.send', { conversation: 'bob', content: { kind: 'text', text: 'x'.repeat(5_001) } });
    expect(tooLong).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_ARGUMENT } });
    const fits = await alice.call('message.send', { conversation: 'bob', content: { kind: 'text', text: 'x'.repeat(5_000) } });
    expect(fits.ok).toBe(true);

    const sent = await alice.call('message.send', { conversation: 'gnosuchgroup1', content: { kind: 'text', text: 'anyone?' } });
    expect(sent.ok).toBe(true);
    const key = sent.ok ? sent.value.key : '';
    await eventually(() => alice.upserted().some((m) => m.key === key && m.state === 'failed'), 5_000);
    const failed = alice.upserted().filter((m) => m.key === key).at(-1)!;
    expect(failed.errorCode).toBe(ErrorCode.GROUP_NOT_FOUND);
    expect(failed.errorMessage).toBeTruthy();
    const page = await alice.call('messages.page', { conversation: 'gnosuchgroup1' });
    expect(page.ok && page.value.messages[0]?.errorCode).toBe(ErrorCode.GROUP_NOT_FOUND);
  });

  it('after a sign-in refused while reconnecting, says so, and "retry now" signs in once the refusal is lifted', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice', { focused: true });
    const { appId, port, dataDir } = server;
    server.server.identity.setAppState(appId, 'offline');
    await server.stop({ keepData: true });
    server = await startTestServer({ dataDir, port });
    await eventually(
      () => alice.events.some((e) => e.event === 'connection.state' && (e.payload as { code?: number }).code === ErrorCode.APP_OFFLINE),
      10_000,
      () => alice.states().join(),
    );
    expect(await alice.call('session.connection', {})).toMatchObject({ ok: true, value: { state: 'offline', code: ErrorCode.APP_OFFLINE } });

    server.server.identity.setAppState(appId, 'online');
    expect(await alice.call('session.reconnect', {})).toMatchObject({ ok: true });
    await eventually(() => alice.states().at(-1) === 'online', 10_000, () => alice.states().join());
  });

  it('names the conversation list anew at each sign-in: a peer renamed while we were away shows under the new name', async () => {
    server = await startTestServer();
    const bob = await fixture.client(server, 'bob');
    await bob.start();
    await createProfileService(bob).update({ nickname: 'Bob One' });
    const sent = await createChatService(bob).send('alice', { kind: 'text', text: 'hello' });
    await eventually(() => bob.store.messages.getByLocalId(Number(sent.key))?.state === 'sent', 5_000);

    const first = await fixture.core(server, 'alice');
    const titleOfBob = (core: typeof first) =>
      core.events
        .filter((e) => e.event === 'conversation.updated')
        .map((e) => (e.payload as EventPayloads['conversation.updated']).conversation)
        .filter((c) => c.id === 'bob')
        .at(-1)?.title;
    await eventually(() => titleOfBob(first) === 'Bob One', 5_000, () => `title ${titleOfBob(first)}`);
    await first.core.shutdown();

    await createProfileService(bob).update({ nickname: 'Bob Two' });
    const again = await fixture.core(server, 'alice', { profileDir: first.profileDir });
    await eventually(() => titleOfBob(again) === 'Bob Two', 5_000, () => `title ${titleOfBob(again)}`);
  });
});
