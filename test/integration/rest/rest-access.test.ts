import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { hmacLoginSignature, TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/**
 * Access taken away through REST (native and classic) goes through AccessControl, as the admin CLI
 * does: a revocation row is written, live sessions over TCP end within a second, and no login
 * method lets the user (or the app) back in.
 */
describe('REST: taking access away', () => {
  let world: TestServer;
  let call: RestCall;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    world = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${world.httpPort}`, world.accountSid, world.authToken);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await world.stop();
  });

  const revocations = () =>
    world.server.db.prepare('SELECT app_id AS "appId", user_id AS "userId" FROM access_revocations ORDER BY revocation_id').all() as {
      appId: string;
      userId: string | null;
    }[];

  async function connected(): Promise<TestClient> {
    const client = await TestClient.connect(world.port);
    clients.push(client);
    await client.hello();
    return client;
  }

  async function refusedEveryWay(appId: string, appToken: string, user: { voipAccount: string; voipPwd?: string }, code: number): Promise<void> {
    const ts = String(Date.now());
    await expect((await connected()).loginWithAppToken(appId, appToken, user.voipAccount)).rejects.toMatchObject({ code });
    const signed = hmacLoginSignature(appId, user.voipAccount, ts, appToken);
    await expect((await connected()).login({ auth: pb.AuthType.SIGNED, appId, user: user.voipAccount, timestamp: ts, secret: signed })).rejects.toMatchObject({
      code,
    });
    if (user.voipPwd !== undefined) {
      await expect((await connected()).loginWithPassword(user.voipAccount, user.voipPwd, { appId })).rejects.toMatchObject({ code });
    }
  }

  async function endedWithinASecond(client: TestClient, code: number): Promise<void> {
    const started = Date.now();
    expect(await client.waitForPush('KICKED', 1_000)).toMatchObject({ code });
    await client.waitClosed();
    expect(Date.now() - started).toBeLessThan(1_000);
  }

  for (const path of ['native', 'classic'] as const) {
    it(`closing a sub-account (${path}) writes a revocation, ends its live session within a second, and no login method works`, async () => {
      const created = (await call('POST', `/v1/accounts/{sid}/apps/${world.appId}/subaccounts`, { friendlyName: `closing-${path}` })).json as {
        subAccountSid: string;
        voipAccount: string;
        voipPwd: string;
      };
      const live = await connected();
      await live.loginWithPassword(created.voipAccount, created.voipPwd);
      const byToken = await connected();
      await byToken.loginWithAppToken(world.appId, world.appToken, created.voipAccount, { device: pb.DeviceKind.MOBILE });
      const before = revocations().length;

      const reply =
        path === 'native'
          ? await call('POST', `/v1/accounts/{sid}/apps/${world.appId}/subaccounts/${created.subAccountSid}/close`)
          : await call('POST', '/2013-12-26/Accounts/{sid}/CloseSubAccount', { appId: world.appId, subAccountSid: created.subAccountSid });
      expect(reply.status, reply.text).toBe(200);
      await Promise.all([endedWithinASecond(live, ErrorCode.SUB_ACCOUNT_CLOSED), endedWithinASecond(byToken, ErrorCode.SUB_ACCOUNT_CLOSED)]);
      expect(revocations().slice(before)).toEqual([{ appId: world.appId, userId: created.voipAccount }]);
      await refusedEveryWay(world.appId, world.appToken, created, ErrorCode.SUB_ACCOUNT_CLOSED);
    });
  }

  for (const how of ['POST /offline', 'PATCH state', 'DELETE'] as const) {
    it(`taking an app offline (${how}) writes a revocation, ends its live sessions within a second, and no login method works`, async () => {
      const created = (await call('POST', '/v1/accounts/{sid}/apps', { name: `doomed ${how}` })).json as { appId: string; appToken: string };
      const user = (await call('POST', `/v1/accounts/{sid}/apps/${created.appId}/subaccounts`, { friendlyName: 'inside' })).json as {
        voipAccount: string;
        voipPwd: string;
      };
      const live = await connected();
      await live.loginWithPassword(user.voipAccount, user.voipPwd, { appId: created.appId });
      const bot = await connected();
      await bot.loginWithAppToken(created.appId, created.appToken, 'bot01', { device: pb.DeviceKind.BOT });
      const bystander = await connected();
      await bystander.loginWithAppToken(world.appId, world.appToken, 'bystander');
      const before = revocations().length;

      const reply =
        how === 'POST /offline'
          ? await call('POST', `/v1/accounts/{sid}/apps/${created.appId}/offline`)
          : how === 'PATCH state'
            ? await call('PATCH', `/v1/accounts/{sid}/apps/${created.appId}`, { state: 'offline' })
            : await call('DELETE', `/v1/accounts/{sid}/apps/${created.appId}`);
      expect(reply.status, reply.text).toBe(200);
      await Promise.all([endedWithinASecond(live, ErrorCode.APP_OFFLINE), endedWithinASecond(bot, ErrorCode.APP_OFFLINE)]);
      expect(revocations().slice(before)).toEqual([{ appId: created.appId, userId: null }]);
      await bystander.ping();
      // a deleted app is as good as gone: not found
      const code = how === 'DELETE' ? ErrorCode.APP_NOT_FOUND : ErrorCode.APP_OFFLINE;
      await refusedEveryWay(created.appId, created.appToken, user, code);
      await refusedEveryWay(created.appId, created.appToken, { voipAccount: 'bot01' }, code);
    });
  }
});
