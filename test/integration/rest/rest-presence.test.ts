import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/** Presence answers each user named once, in the order first named: a repeat was answered twice. */
describe('REST presence', () => {
  let server: TestServer;
  let call: RestCall;
  let client: TestClient;

  beforeAll(async () => {
    server = await startTestServer();
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    client = await TestClient.connect(server.port);
    await client.hello();
    await client.loginWithAppToken(server.appId, server.appToken, 'bob', { deviceId: 'bob-laptop' });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('answers a user named twice once', async () => {
    const reply = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/presence`, { users: ['bob', 'carol', 'bob', 'carol', 'bob'] });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json.users).toEqual([
      { userId: 'bob', online: true, devices: ['bob-laptop'] },
      { userId: 'carol', online: false, devices: [] },
    ]);
  });
});
