import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import type { ConversationView, EventName, EventPayloads, MethodArgs, MethodName, MethodResult, Result } from '../../../preload/api';
import { createDispatch } from '../../../main/api/dispatch';
import { MagpieCore } from '../../../main/core/magpie-core';
import { fastTestTuning } from '../../../main/engine/tuning';
import { createKeyFileSecretBox } from '../../../main/settings/secret-box';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { startPushReceiver, type PushReceiver } from '../push/push-receiver';
import { restClient, waitFor, type RestCall } from '../rest/rest-fixture';
import { clientId } from '../server/chat-fixture';
import { createClientFixture } from './client-fixture';

/**
 * The desktop core's mute of a one-to-one conversation reaches the server: the user's other
 * device shows it at once, a new device gets it at login, and the offline push skips it.
 */
describe('muting a one-to-one conversation in the client', () => {
  const fixture = createClientFixture();
  let server: TestServer;
  let receiver: PushReceiver;
  let rest: RestCall;
  let alice: TestClient;
  let n = 1;

  beforeAll(async () => {
    receiver = await startPushReceiver();
    server = await startTestServer({ tuning: { pushDelayMs: 100, restMaxRefusals: 1_000_000 } });
    rest = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    expect((await rest('PUT', `/v1/accounts/{sid}/apps/${server.appId}/push`, { url: receiver.url })).status).toBe(200);
    alice = await TestClient.connect(server.port);
    await alice.hello();
    await alice.loginWithAppToken(server.appId, server.appToken, 'alice');
  });
  afterAll(async () => {
    await alice.close();
    await fixture.cleanup();
    await server.stop();
    await receiver.close();
  });

  async function device(user: string) {
    const profileDir = await fixture.profile();
    const events: Array<{ event: EventName; payload: unknown }> = [];
    const core = new MagpieCore({
      profileDir,
      shell: 'web',
      version: '0.0.0',
      secretBox: createKeyFileSecretBox(join(profileDir, 'secret.key')),
      emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => events.push({ event, payload }),
      log: pino({ level: 'silent' }),
      tuning: fastTestTuning,
    });
    const dispatch = createDispatch(core.handlers, (error) => {
      throw error;
    });
    const call = <M extends MethodName>(method: M, args: MethodArgs<M>) => dispatch(method, args) as Promise<Result<MethodResult<M>>>;
    await core.handlers['session.login']({ servers: [`127.0.0.1:${server.port}`], appId: server.appId, auth: { type: 'appToken', user, token: server.appToken } });
    const conversation = async (id: string): Promise<ConversationView | undefined> => {
      const listed = await call('conversations.list', {});
      return listed.ok ? listed.value.find((c) => c.id === id) : undefined;
    };
    return { core, call, conversation };
  }

  const say = (to: string, text: string) => alice.ask('SEND', { clientMsgId: clientId(n++), to, type: pb.MessageType.TEXT, text }, 'SENT');
  const offline = (user: string) =>
    waitFor(
      async () => (await rest('POST', `/v1/accounts/{sid}/apps/${server.appId}/presence`, { users: [user] })).json.users[0].online === false,
      5_000,
      `${user} offline`,
    );

  it('is shown on the other device, kept for a new device, and stops the offline push until unmuted', async () => {
    const desk = await device('bob');
    const laptop = await device('bob');
    await say('bob', 'hello bob');
    for (const d of [desk, laptop]) {
      await waitFor(async () => (await d.conversation('alice')) !== undefined, 5_000, 'the conversation with alice');
    }

    expect(await desk.call('conversation.setMuted', { conversation: 'alice', muted: true })).toEqual({ ok: true, value: null });
    await waitFor(async () => (await laptop.conversation('alice'))?.muted === true, 3_000, 'the mute on the other device');

    await Promise.all([desk.core.shutdown(), laptop.core.shutdown()]);
    await offline('bob');
    await say('bob', 'muted words');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.callsFor('bob')).toEqual([]);

    // a device that never saw the mute: the conversation arrives muted
    const phone = await device('bob');
    await waitFor(async () => (await phone.conversation('alice'))?.muted === true, 5_000, 'the mute on a new device');
    expect(await phone.call('conversation.setMuted', { conversation: 'alice', muted: false })).toEqual({ ok: true, value: null });
    await phone.core.shutdown();
    await offline('bob');
    await say('bob', 'audible words');
    await waitFor(() => receiver.callsFor('bob').length > 0, 5_000, 'the push to bob');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.callsFor('bob').map((c) => c.body.preview)).toEqual(['audible words']);
  }, 60_000);

  it('a mute changed while offline reaches the server when the session is back online', async () => {
    const desk = await device('carl');
    await say('carl', 'hello carl');
    await waitFor(async () => (await desk.conversation('alice')) !== undefined, 5_000, 'the conversation with alice');
    const { dataDir, port, httpPort } = server;
    await alice.close();
    await server.stop({ keepData: true });
    await waitFor(async () => {
      const status = await desk.call('session.connection', {});
      return status.ok && status.value.state !== 'online';
    }, 5_000, 'the core to notice');
    expect(await desk.call('conversation.setMuted', { conversation: 'alice', muted: true })).toEqual({ ok: true, value: null });
    expect((await desk.conversation('alice'))?.muted).toBe(true);

    server = await startTestServer({ dataDir, port, httpPort, tuning: { pushDelayMs: 100, restMaxRefusals: 1_000_000 } });
    alice = await TestClient.connect(server.port);
    await alice.hello();
    await alice.loginWithAppToken(server.appId, server.appToken, 'alice');
    const check = await TestClient.connect(server.port);
    await check.hello();
    await check.loginWithAppToken(server.appId, server.appToken, 'carl', { device: pb.DeviceKind.BOT });
    await waitFor(async () => (await check.ask('MUTE_UPDATE', {}, 'MUTES')).peers.includes('alice'), 15_000, 'the mute on the server');
    await check.close();
    expect((await desk.conversation('alice'))?.muted).toBe(true);
    await desk.core.shutdown();
  }, 60_000);
});
