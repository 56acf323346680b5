import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('identity', () => {
  let world: TestServer;

  beforeAll(async () => {
    world = await startTestServer();
  });
  afterAll(async () => {
    await world.stop();
  });

  it('creates main accounts and apps with 32-hex ids and tokens, apps online', () => {
    const account = world.server.identity.createAccount();
    expect(account.accountSid).toMatch(/^[0-9a-f]{32}$/);
    expect(account.authToken).toMatch(/^[0-9a-f]{32}$/);
    const app = world.server.identity.createApp(account.accountSid, 'Chirp');
    expect(app).toMatchObject({ accountSid: account.accountSid, name: 'Chirp', state: 'online' });
    expect(app.appId).toMatch(/^[0-9a-f]{32}$/);
    expect(app.appToken).toMatch(/^[0-9a-f]{32}$/);
    expect(world.server.identity.listApps(account.accountSid).map((a) => a.appId)).toEqual([app.appId]);
  });

  it('stores tokens and passwords hashed, and the app token sealed', () => {
    const account = world.server.identity.createAccount();
    const app = world.server.identity.createApp(account.accountSid, 'Secretive');
    const user = world.server.identity.createSubAccount(app.appId, 'Sly');
    const dump = JSON.stringify([
      world.server.db.prepare('SELECT * FROM accounts').all(),
      world.server.db.prepare('SELECT * FROM apps').all(),
      world.server.db.prepare('SELECT * FROM sub_accounts').all(),
    ]);
    for (const secret of [account.authToken, app.appToken, user.subToken, user.voipPwd]) expect(dump).not.toContain(secret);
  });

  it('creates sub-accounts with generated credentials and a users row', () => {
    const user = world.server.identity.createSubAccount(world.appId, 'Vera');
    expect(user.subAccountSid).toMatch(/^[0-9a-f]{32}$/);
    expect(user.subToken).toMatch(/^[0-9a-f]{32}$/);
    expect(user.voipAccount).toMatch(/^8\d{13}$/);
    expect(user.voipPwd.length).toBeGreaterThanOrEqual(12);
    expect(world.server.users.getUser(world.appId, user.voipAccount)?.nickname).toBe('Vera');
    expect(world.server.identity.listSubAccounts(world.appId)).toContainEqual(
      expect.objectContaining({ subAccountSid: user.subAccountSid, friendlyName: 'Vera', closed: false }),
    );
  });

  it('keeps friendly names unique per app, not across apps', () => {
    world.server.identity.createSubAccount(world.appId, 'Walt');
    expect(() => world.server.identity.createSubAccount(world.appId, 'Walt')).toThrow(expect.objectContaining({ code: ErrorCode.NAME_TAKEN }));
    const other = world.server.identity.createApp(world.accountSid, 'Other');
    expect(world.server.identity.createSubAccount(other.appId, 'Walt').friendlyName).toBe('Walt');
  });

  it('answers unknown accounts, apps and sub-accounts with their codes', () => {
    const { identity } = world.server;
    expect(() => identity.createApp('0'.repeat(32), 'x')).toThrow(expect.objectContaining({ code: ErrorCode.ACCOUNT_NOT_FOUND }));
    expect(() => identity.listApps('0'.repeat(32))).toThrow(expect.objectContaining({ code: ErrorCode.ACCOUNT_NOT_FOUND }));
    expect(() => identity.createSubAccount('0'.repeat(32), 'x')).toThrow(expect.objectContaining({ code: ErrorCode.APP_NOT_FOUND }));
    expect(() => identity.setAppState('0'.repeat(32), 'offline')).toThrow(expect.objectContaining({ code: ErrorCode.APP_NOT_FOUND }));
    expect(() => identity.closeSubAccount('0'.repeat(32))).toThrow(expect.objectContaining({ code: ErrorCode.USER_NOT_FOUND }));
  });

  it('ensureUser creates a user once and never changes it', () => {
    const { users } = world.server;
    users.ensureUser(world.appId, 'lazy1');
    users.updateProfile(world.appId, 'lazy1', { nickname: 'Lazy' });
    users.ensureUser(world.appId, 'lazy1');
    expect(users.getUser(world.appId, 'lazy1')?.nickname).toBe('Lazy');
  });
});
