import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { restClient, type RestCall } from './rest-fixture';
import { startTestServer, type TestServer } from '../../support/test-server';

/** A closed sub-account sends nothing over REST either: refused as its own login is. */
describe('REST as a closed sub-account', () => {
  let server: TestServer;
  let call: RestCall;
  let app: string;

  beforeAll(async () => {
    server = await startTestServer();
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    app = `/v1/accounts/{sid}/apps/${server.appId}`;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('refuses a message, a broadcast and an upload from it with 403 SUB_ACCOUNT_CLOSED; reopened it sends again', async () => {
    const made = await call('POST', `${app}/subaccounts`, { friendlyName: 'bob' });
    expect(made.status, made.text).toBe(201);
    const bob = made.json.voipAccount as string;
    const send = () => call('POST', `${app}/messages`, { from: bob, to: 'carol', message: { type: 'text', text: 'hi' } });
    expect((await send()).status).toBe(200);

    expect((await call('POST', `${app}/subaccounts/${made.json.subAccountSid}/close`)).json.closed).toBe(true);
    const refusals = await Promise.all([
      send(),
      call('POST', `${app}/broadcasts`, { from: bob, to: ['carol'], message: { type: 'text', text: 'all' } }),
      call('POST', `${app}/files?kind=file&from=${bob}&name=a.txt`, undefined, { raw: 'bytes', headers: { 'content-type': 'application/octet-stream' } }),
    ]);
    for (const reply of refusals) {
      expect([reply.status, reply.json?.error?.code, reply.json?.error?.message], reply.text).toEqual([
        403,
        ErrorCode.SUB_ACCOUNT_CLOSED,
        `sub-account ${bob} is closed: nothing can be sent as it (reopen it first)`,
      ]);
    }
    const history = await call('GET', `${app}/history?user=${bob}&peer=carol`);
    expect(history.json.messages.map((m: { text: string }) => m.text)).toEqual(['hi']);

    // the app itself, and a user id of the app token that is no sub-account, still send
    expect((await call('POST', `${app}/messages`, { to: 'carol', message: { type: 'text', text: 'notice' } })).status).toBe(200);
    expect((await call('POST', `${app}/messages`, { from: 'dave', to: 'carol', message: { type: 'text', text: 'yo' } })).status).toBe(200);
    await call('POST', `${app}/subaccounts/${made.json.subAccountSid}/reopen`);
    expect((await send()).status).toBe(200);
  });
});
