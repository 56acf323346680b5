import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/**
 * An app taken offline has its messaging off: its users' logins are refused APP_OFFLINE, and so
 * are the app server's sends and broadcasts, which went through and reached no one who could log in.
 */
describe('REST in an app taken offline', () => {
  let server: TestServer;
  let call: RestCall;
  let app: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    app = `/v1/accounts/{sid}/apps/${server.appId}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop();
  });

  async function login(user: string): Promise<TestClient> {
    const client = await TestClient.connect(server.port);
    clients.push(client);
    await client.hello();
    await client.loginWithAppToken(server.appId, server.appToken, user);
    return client;
  }

  it('refuses a send and a broadcast with 403 APP_OFFLINE, the code a login gets; reads answer; online again it sends', async () => {
    const send = () => call('POST', `${app}/messages`, { from: 'alice', to: 'bob', message: { type: 'text', text: 'hi' } });
    const broadcast = () => call('POST', `${app}/broadcasts`, { to: ['bob'], message: { type: 'text', text: 'all' } });
    expect((await send()).status).toBe(200);
    const jobs = () => server.server.db.prepare<[], number>('SELECT COUNT(*) FROM broadcast_jobs').pluck().get();

    expect((await call('POST', `${app}/offline`)).json.state).toBe('offline');
    const loginRefused = await login('bob').then(
      () => undefined,
      (error: { code: number }) => error.code,
    );
    expect(loginRefused).toBe(ErrorCode.APP_OFFLINE);
    const before = jobs();
    for (const reply of [await send(), await broadcast(), await call('POST', `${app}/broadcasts`, { message: { type: 'text', text: 'everyone' } })]) {
      expect([reply.status, reply.json?.error?.code, reply.json?.error?.message], reply.text).toEqual([
        403,
        ErrorCode.APP_OFFLINE,
        `app ${server.appId} is offline: nothing can be sent in it (take it online first: POST .../apps/${server.appId}/online)`,
      ]);
    }
    expect(jobs()).toBe(before);

    // reads keep answering: the app, its history, presence
    expect((await call('GET', app)).json.state).toBe('offline');
    const history = await call('GET', `${app}/history?user=alice&peer=bob`);
    expect(history.json.messages.map((m: { text: string }) => m.text)).toEqual(['hi']);
    expect((await call('POST', `${app}/presence`, { users: ['bob'] })).json.users).toEqual([{ userId: 'bob', online: false, devices: [] }]);

    expect((await call('POST', `${app}/online`)).json.state).toBe('online');
    const bob = await login('bob');
    expect((await send()).status).toBe(200);
    const push = await bob.waitForPush('PUSH');
    expect(push.item.case === 'message' && push.item.value.text).toBe('hi');
  });
});
