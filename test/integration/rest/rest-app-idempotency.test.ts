import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { openChatWorld, type ChatWorld } from '../server/chat-fixture';
import { restClient, type RestCall } from './rest-fixture';

/**
 * An app server creates an app, times out, and calls again (signed anew): without a key that was a
 * second app of the same name. The same idempotencyKey answers the app the first call made.
 */
describe('REST app create with an idempotencyKey, over HTTP on the real server', () => {
  let world: ChatWorld;
  let call: RestCall;
  const apps = '/v1/accounts/{sid}/apps';

  beforeAll(async () => {
    world = await openChatWorld({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
  });
  afterAll(async () => {
    await world.close();
  });

  const named = (name: string): number => world.server.server.identity.listApps(world.server.accountSid).filter((app) => app.name === name).length;

  it('a retried create with the same key makes one app and answers it as it is now, whatever the retry says', async () => {
    const body = { name: 'Shop', idempotencyKey: 'order-42:app' };
    const first = await call('POST', apps, body);
    expect(first.status, first.text).toBe(201);
    const retried = await call('POST', apps, body);
    expect([retried.status, retried.json]).toEqual([201, first.json]);
    const together = await Promise.all([call('POST', apps, body), call('POST', apps, body)]);
    expect(together.map((r) => [r.status, r.json.appId])).toEqual([
      [201, first.json.appId],
      [201, first.json.appId],
    ]);
    // another name, even a bad one, is the same app: the repeat is answered before any check
    for (const name of ['Other shop', '']) {
      const other = await call('POST', apps, { ...body, name });
      expect([other.status, other.json.appId, other.json.name]).toEqual([201, first.json.appId, 'Shop']);
    }
    expect(named('Shop')).toBe(1);
    expect(named('Other shop')).toBe(0);

    // renamed, offline and with a new token: the key answers the app as it is now
    const appPath = `${apps}/${first.json.appId as string}`;
    expect((await call('PATCH', appPath, { name: 'Renamed shop', state: 'offline' })).status).toBe(200);
    const rotated = await call('POST', `${appPath}/token`);
    const now = await call('POST', apps, body);
    expect([now.status, now.json]).toEqual([201, { ...first.json, name: 'Renamed shop', state: 'offline', appToken: rotated.json.appToken }]);

    // deleted: the key names no app any more, and makes none
    expect((await call('DELETE', appPath)).status).toBe(200);
    const afterDelete = await call('POST', apps, body);
    expect([afterDelete.status, afterDelete.json.error.code]).toEqual([404, ErrorCode.APP_NOT_FOUND]);
    expect(afterDelete.json.error.message).toContain('a new app needs a new key');
    expect(named('Shop') + named('Renamed shop')).toBe(0);
  });

  it('a key is its main account\'s, and a create without one makes an app each time', async () => {
    const other = world.server.server.identity.createAccount();
    const otherCall = restClient(`http://127.0.0.1:${world.server.httpPort}`, other.accountSid, other.authToken);
    const mine = await call('POST', apps, { name: 'Twin', idempotencyKey: 'same-key' });
    const theirs = await otherCall('POST', apps, { name: 'Twin', idempotencyKey: 'same-key' });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.json.appId).not.toBe(mine.json.appId);
    expect(world.server.server.identity.getApp(theirs.json.appId as string)?.accountSid).toBe(other.accountSid);
    // the other account's key answers nothing of this account's app
    expect((await otherCall('GET', `${apps}/${mine.json.appId as string}`)).status).toBe(403);

    const plain = [await call('POST', apps, { name: 'Plain' }), await call('POST', apps, { name: 'Plain' })];
    expect(plain.map((r) => r.status)).toEqual([201, 201]);
    expect(plain[0]!.json.appId).not.toBe(plain[1]!.json.appId);
    expect(plain[0]!.json.appId).toMatch(/^[0-9a-f]{32}$/);
    expect(mine.json.appId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses a key that is empty, too long or holds other characters with 400 REST_BAD_REQUEST, making nothing', async () => {
    for (const idempotencyKey of ['', 'k'.repeat(129), 'has space', 'a/b', 42]) {
      const refused = await call('POST', apps, { name: 'Refused', idempotencyKey });
      expect([refused.status, refused.json.error.code]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
      expect(refused.json.error.message).toContain('body/idempotencyKey');
    }
    expect(named('Refused')).toBe(0);
    // a refused name makes nothing, and leaves the key free for the good name
    const badName = await call('POST', apps, { name: 'x'.repeat(65), idempotencyKey: 'fixed-later' });
    expect([badName.status, badName.json.error.code]).toEqual([400, ErrorCode.INVALID_USER_ID]);
    const fixed = await call('POST', apps, { name: 'Fixed', idempotencyKey: 'fixed-later' });
    expect([fixed.status, fixed.json.name]).toEqual([201, 'Fixed']);
  });
});
