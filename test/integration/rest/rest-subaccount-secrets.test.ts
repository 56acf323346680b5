import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { verifySecret } from '../../../server/identity/secrets';
import { TestClient } from '../../support/test-client';
import { openChatWorld, sessionOf, type ChatWorld } from '../server/chat-fixture';
import { restClient, type RestCall } from './rest-fixture';

interface Created {
  subAccountSid: string;
  voipAccount: string;
  voipPwd: string;
  subToken: string;
}

/**
 * A sub-account's create answer was lost: its subToken and voipPwd were shown only there, and the
 * retry answers NAME_TAKEN. New secrets through REST make it usable by password again.
 */
describe('REST new secrets for a sub-account, over HTTP on the real server', () => {
  let world: ChatWorld;
  let call: RestCall;
  let app: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    world = await openChatWorld({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
    app = `/v1/accounts/{sid}/apps/${world.server.appId}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await world.close();
  });

  async function connected(): Promise<TestClient> {
    const client = await TestClient.connect(world.server.port);
    clients.push(client);
    await client.hello();
    return client;
  }

  const tokenHashOf = (subAccountSid: string): string =>
    String(world.server.server.db.prepare<[string], string>('SELECT sub_token_hash FROM sub_accounts WHERE sub_account_sid = ?').pluck().get(subAccountSid));

  it('answers a new subToken and voipPwd: the old password logs in no more, the new one does, live sessions stay', async () => {
    const created = (await call('POST', `${app}/subaccounts`, { friendlyName: 'lost-answer' })).json as Created;
    const liveClient = await connected();
    const live = sessionOf(created.voipAccount, liveClient, await liveClient.loginWithPassword(created.voipAccount, created.voipPwd));
    // the retry of the create cannot tell the secrets again
    expect((await call('POST', `${app}/subaccounts`, { friendlyName: 'lost-answer' })).json.error.code).toBe(ErrorCode.NAME_TAKEN);

    const reset = await call('POST', `${app}/subaccounts/${created.subAccountSid}/secrets`);
    expect(reset.status, reset.text).toBe(200);
    expect(Object.keys(reset.json as object).sort()).toEqual(['closed', 'dateCreated', 'friendlyName', 'subAccountSid', 'subToken', 'voipAccount', 'voipPwd']);
    expect(reset.json).toMatchObject({ subAccountSid: created.subAccountSid, voipAccount: created.voipAccount, friendlyName: 'lost-answer', closed: false });
    expect(reset.json.voipPwd).not.toBe(created.voipPwd);
    expect(reset.json.voipPwd).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(reset.json.subToken).not.toBe(created.subToken);
    expect(reset.json.subToken).toMatch(/^[0-9a-f]{32}$/);
    // only hashes are kept: the stored one checks the new token, not the old
    expect(await verifySecret(reset.json.subToken as string, tokenHashOf(created.subAccountSid))).toBe(true);
    expect(await verifySecret(created.subToken, tokenHashOf(created.subAccountSid))).toBe(false);

    await expect((await connected()).loginWithPassword(created.voipAccount, created.voipPwd)).rejects.toMatchObject({ code: ErrorCode.WRONG_PASSWORD });
    await (await connected()).loginWithPassword(created.voipAccount, reset.json.voipPwd as string);
    // the session logged in with the old password goes on, as after a new app token
    const peer = await world.login('peer01');
    await peer.text(created.voipAccount, 'still here?', 1);
    const pushed = await live.nextPush((e) => e.item.case === 'message' && e.item.value.text === 'still here?');
    expect(pushed.item.value).toMatchObject({ from: 'peer01' });

    // a repeat makes another pair: the last answer holds the one that works
    const again = await call('POST', `${app}/subaccounts/${created.subAccountSid}/secrets`);
    expect(again.json.voipPwd).not.toBe(reset.json.voipPwd);
    await expect((await connected()).loginWithPassword(created.voipAccount, reset.json.voipPwd as string)).rejects.toMatchObject({ code: ErrorCode.WRONG_PASSWORD });
    await (await connected()).loginWithPassword(created.voipAccount, again.json.voipPwd as string);
  });

  it('a closed sub-account gets new secrets and stays closed', async () => {
    const created = (await call('POST', `${app}/subaccounts`, { friendlyName: 'closed-one' })).json as Created;
    expect((await call('POST', `${app}/subaccounts/${created.subAccountSid}/close`)).status).toBe(200);
    const reset = await call('POST', `${app}/subaccounts/${created.subAccountSid}/secrets`);
    expect([reset.status, reset.json.closed]).toEqual([200, true]);
    await expect((await connected()).loginWithPassword(created.voipAccount, reset.json.voipPwd as string)).rejects.toMatchObject({
      code: ErrorCode.SUB_ACCOUNT_CLOSED,
    });
    expect((await call('POST', `${app}/subaccounts/${created.subAccountSid}/reopen`)).status).toBe(200);
    await (await connected()).loginWithPassword(created.voipAccount, reset.json.voipPwd as string);
  });

  it('only the app\'s main account may: another account\'s, another app\'s and an unknown sub-account are refused, nothing changed', async () => {
    const created = (await call('POST', `${app}/subaccounts`, { friendlyName: 'guarded' })).json as Created;
    const before = tokenHashOf(created.subAccountSid);

    const other = world.server.server.identity.createAccount();
    const otherCall = restClient(`http://127.0.0.1:${world.server.httpPort}`, other.accountSid, other.authToken);
    const otherApp = (await otherCall('POST', '/v1/accounts/{sid}/apps', { name: 'theirs' })).json.appId as string;
    // their own path to this account's app, and their own app naming this account's sub-account
    const viaMyApp = await otherCall('POST', `/v1/accounts/{sid}/apps/${world.server.appId}/subaccounts/${created.subAccountSid}/secrets`);
    const viaTheirApp = await otherCall('POST', `/v1/accounts/{sid}/apps/${otherApp}/subaccounts/${created.subAccountSid}/secrets`);
    expect([viaMyApp.status, viaMyApp.json.error.code]).toEqual([403, ErrorCode.REST_FORBIDDEN]);
    expect([viaTheirApp.status, viaTheirApp.json.error.code]).toEqual([403, ErrorCode.REST_FORBIDDEN]);

    // this account's sub-account named under another of its apps
    const secondApp = (await call('POST', '/v1/accounts/{sid}/apps', { name: 'second' })).json.appId as string;
    const wrongApp = await call('POST', `/v1/accounts/{sid}/apps/${secondApp}/subaccounts/${created.subAccountSid}/secrets`);
    expect([wrongApp.status, wrongApp.json.error.code]).toEqual([403, ErrorCode.REST_FORBIDDEN]);
    const unknown = await call('POST', `${app}/subaccounts/${'0'.repeat(32)}/secrets`);
    expect([unknown.status, unknown.json.error.code]).toEqual([404, ErrorCode.USER_NOT_FOUND]);

    expect(tokenHashOf(created.subAccountSid)).toBe(before);
    await (await connected()).loginWithPassword(created.voipAccount, created.voipPwd);
  });
});
