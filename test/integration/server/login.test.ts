import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../protocol';
import { formatCompactTimestamp, hmacLoginSignature, md5LoginSignature, TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';

async function expectCode(promise: Promise<unknown>, code: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MagpieError);
  expect((error as MagpieError).code).toBe(code);
}

describe('login', () => {
  let world: TestServer;
  const clients: TestClient[] = [];

  async function connected(): Promise<TestClient> {
    const client = await TestClient.connect(world.port);
    clients.push(client);
    await client.hello();
    return client;
  }

  beforeAll(async () => {
    world = await startTestServer({ tuning: { maxFailedLogins: 3 } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await world.stop();
  });

  describe('with a password', () => {
    it('logs a sub-account in with its voip account and password', async () => {
      const user = world.createUser('pat');
      const client = await connected();
      const result = await client.loginWithPassword(user.voipAccount, user.voipPwd);
      expect(result.userId).toBe(user.voipAccount);
      expect(result.appId).toBe(world.appId);
      expect(result.nickname).toBe('pat');
      expect(result.idleTimeoutMs).toBeGreaterThan(0);
      expect(Number(result.serverTimeMs)).toBeGreaterThan(Date.now() - 60_000);
      expect(result.sessionId).not.toBe('');
    });

    it('refuses a wrong password with WRONG_PASSWORD and lets the client try again', async () => {
      const user = world.createUser('quinn');
      const client = await connected();
      await expectCode(client.loginWithPassword(user.voipAccount, 'not-the-password'), ErrorCode.WRONG_PASSWORD);
      const result = await client.loginWithPassword(user.voipAccount, user.voipPwd);
      expect(result.userId).toBe(user.voipAccount);
    });

    it('refuses an unknown voip account as a wrong password', async () => {
      const client = await connected();
      await expectCode(client.loginWithPassword('80000000000000', 'whatever'), ErrorCode.WRONG_PASSWORD);
    });

    it('refuses a closed sub-account with SUB_ACCOUNT_CLOSED', async () => {
      const user = world.createUser('rory');
      world.server.identity.closeSubAccount(user.subAccountSid);
      const client = await connected();
      await expectCode(client.loginWithPassword(user.voipAccount, user.voipPwd), ErrorCode.SUB_ACCOUNT_CLOSED);
    });
  });

  describe('with the app token', () => {
    it('logs any valid user id in and creates the user on first sight', async () => {
      const client = await connected();
      const result = await client.loginWithAppToken(world.appId, world.appToken, 'new_user-01');
      expect(result.userId).toBe('new_user-01');
      expect(world.server.users.getUser(world.appId, 'new_user-01')).toBeDefined();
    });

    it.each([
      ['a Chinese name', '小明'],
      ['a symbol', 'bob@home'],
      ['a leading g (group ids do)', 'guest'],
      ['an empty id', ''],
      ['65 characters', 'a'.repeat(65)],
    ])('refuses %s with INVALID_USER_ID', async (_what, userId) => {
      const client = await connected();
      await expectCode(client.loginWithAppToken(world.appId, world.appToken, userId), ErrorCode.INVALID_USER_ID);
    });

    it('accepts a 64-character id', async () => {
      const client = await connected();
      const result = await client.loginWithAppToken(world.appId, world.appToken, 'A'.repeat(64));
      expect(result.userId).toBe('A'.repeat(64));
    });

    it('refuses a wrong app token with TOKEN_AUTH_FAILED', async () => {
      const client = await connected();
      await expectCode(client.loginWithAppToken(world.appId, '0'.repeat(32), 'carol'), ErrorCode.TOKEN_AUTH_FAILED);
    });

    it('refuses an unknown app with APP_NOT_FOUND', async () => {
      const client = await connected();
      await expectCode(client.loginWithAppToken('f'.repeat(32), world.appToken, 'carol'), ErrorCode.APP_NOT_FOUND);
    });
  });

  describe('with a signature', () => {
    function signedLogin(userId: string, timestamp: string, secret: string, md5 = false) {
      return {
        auth: pb.AuthType.SIGNED,
        appId: world.appId,
        user: userId,
        timestamp,
        secret,
        signatureAlgorithm: md5 ? pb.SignatureAlgorithm.MD5 : pb.SignatureAlgorithm.HMAC_SHA256,
      };
    }

    it('accepts an HMAC-SHA256 signature made with the app token', async () => {
      const client = await connected();
      const ts = String(Date.now());
      const result = await client.login(signedLogin('dana', ts, hmacLoginSignature(world.appId, 'dana', ts, world.appToken)));
      expect(result.userId).toBe('dana');
    });

    it("accepts the seed's MD5 form with a yyyyMMddHHmmss timestamp", async () => {
      const client = await connected();
      const ts = formatCompactTimestamp(Date.now(), 480);
      const result = await client.login(signedLogin('erin', ts, md5LoginSignature(world.appId, 'erin', ts, world.appToken), true));
      expect(result.userId).toBe('erin');
    });

    it('refuses a signature made with another key with TOKEN_AUTH_FAILED', async () => {
      const client = await connected();
      const ts = String(Date.now());
      const forged = hmacLoginSignature(world.appId, 'dana', ts, 'f'.repeat(32));
      await expectCode(client.login(signedLogin('dana', ts, forged)), ErrorCode.TOKEN_AUTH_FAILED);
    });

    it('refuses a signature for another user id with TOKEN_AUTH_FAILED', async () => {
      const client = await connected();
      const ts = String(Date.now());
      const other = hmacLoginSignature(world.appId, 'dana', ts, world.appToken);
      await expectCode(client.login(signedLogin('frank', ts, other)), ErrorCode.TOKEN_AUTH_FAILED);
    });

    it('refuses an old timestamp with SIGNATURE_EXPIRED', async () => {
      const client = await connected();
      const ts = String(Date.now() - 60 * 60_000);
      const sig = hmacLoginSignature(world.appId, 'hale', ts, world.appToken);
      await expectCode(client.login(signedLogin('hale', ts, sig)), ErrorCode.SIGNATURE_EXPIRED);
    });

    it('refuses an old MD5 timestamp with SIGNATURE_EXPIRED', async () => {
      const client = await connected();
      const ts = formatCompactTimestamp(Date.now() - 60 * 60_000, 480);
      const sig = md5LoginSignature(world.appId, 'ivan', ts, world.appToken);
      await expectCode(client.login(signedLogin('ivan', ts, sig, true)), ErrorCode.SIGNATURE_EXPIRED);
    });
  });

  describe('an offline app', () => {
    it('refuses every login mode with APP_OFFLINE until it is online again', async () => {
      const app = world.server.identity.createApp(world.accountSid, 'sleepy');
      const user = world.server.identity.createSubAccount(app.appId, 'jo');
      world.server.identity.setAppState(app.appId, 'offline');
      const client = await connected();
      await expectCode(client.loginWithPassword(user.voipAccount, user.voipPwd), ErrorCode.APP_OFFLINE);
      await expectCode(client.loginWithAppToken(app.appId, app.appToken, 'kim'), ErrorCode.APP_OFFLINE);
      const ts = String(Date.now());
      await expectCode(
        client.login({
          auth: pb.AuthType.SIGNED,
          appId: app.appId,
          user: 'kim',
          timestamp: ts,
          secret: hmacLoginSignature(app.appId, 'kim', ts, app.appToken),
        }),
        ErrorCode.APP_OFFLINE,
      );
      world.server.identity.setAppState(app.appId, 'online');
      expect((await client.loginWithAppToken(app.appId, app.appToken, 'kim')).userId).toBe('kim');
    });
  });

  describe('a login that fails inside the server', () => {
    it('is answered INTERNAL "internal server error", not as a frame the server could not decode, and the socket may try again', async () => {
      const app = world.server.identity.createApp(world.accountSid, 'sealed elsewhere');
      // a token sealed under another server key (a node given another data folder) cannot be opened
      world.server.db.prepare('UPDATE apps SET app_token_sealed = ? WHERE app_id = ?').run(`v1:${Buffer.alloc(40, 7).toString('base64')}`, app.appId);
      const client = await connected();
      const error = await client.loginWithAppToken(app.appId, app.appToken, 'olga').then(
        () => undefined,
        (e: unknown) => e as MagpieError,
      );
      expect(error).toBeInstanceOf(MagpieError);
      expect({ code: error!.code, message: error!.message }).toEqual({ code: ErrorCode.INTERNAL, message: 'internal server error' });
      expect((await client.loginWithAppToken(world.appId, world.appToken, 'olga')).userId).toBe('olga');
    });
  });

  describe('failed logins', () => {
    it('are rate limited per address and user: TOO_MANY_LOGIN_ATTEMPTS even with the right password', async () => {
      const user = world.createUser('lee');
      const other = world.createUser('max');
      const client = await connected();
      for (let i = 0; i < 3; i++) {
        await expectCode(client.loginWithPassword(user.voipAccount, 'wrong'), ErrorCode.WRONG_PASSWORD);
      }
      await expectCode(client.loginWithPassword(user.voipAccount, user.voipPwd), ErrorCode.TOO_MANY_LOGIN_ATTEMPTS);
      // another user from the same address is not blocked
      expect((await client.loginWithPassword(other.voipAccount, other.voipPwd)).userId).toBe(other.voipAccount);
    });

    it('count while they are checked: guesses sent at once on many sockets get no more tries', async () => {
      const user = world.createUser('ona');
      const clients = await Promise.all(Array.from({ length: 10 }, () => connected()));
      const outcomes = await Promise.allSettled(clients.map((c) => c.loginWithPassword(user.voipAccount, 'guess')));
      const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: number }).code : 0));
      // at most maxFailedLogins (3) passwords were checked; every other guess was refused unchecked
      expect(codes.filter((c) => c === ErrorCode.WRONG_PASSWORD).length).toBeLessThanOrEqual(3);
      expect(codes.filter((c) => c === ErrorCode.TOO_MANY_LOGIN_ATTEMPTS).length).toBeGreaterThanOrEqual(7);
    });
  });

  describe('a logged-in connection', () => {
    it('refuses a second LOGIN with ALREADY_LOGGED_IN', async () => {
      const client = await connected();
      await client.loginWithAppToken(world.appId, world.appToken, 'nina');
      await expectCode(client.loginWithAppToken(world.appId, world.appToken, 'nina'), ErrorCode.ALREADY_LOGGED_IN);
    });

    it('answers requests before login with NOT_LOGGED_IN', async () => {
      const client = await connected();
      await expectCode(client.request('PROFILE_QUERY', { userIds: ['nina'] }), ErrorCode.NOT_LOGGED_IN);
    });

    it('logs out with OK and is closed', async () => {
      const client = await connected();
      await client.loginWithAppToken(world.appId, world.appToken, 'olga');
      const reply = await client.request('LOGOUT', {});
      expect(reply.name).toBe('OK');
      await client.waitClosed();
    });

    it('answers a LOGOUT before any login with OK and closes', async () => {
      const client = await connected();
      const reply = await client.request('LOGOUT', {});
      expect(reply.name).toBe('OK');
      await client.waitClosed();
    });
  });
});

describe('failed logins to one account from many addresses', () => {
  it('lock out new addresses after the per-account limit, not one that logged in to it before', async () => {
    const world = await startTestServer({ tuning: { maxFailedLogins: 3, maxFailedLoginsPerAccount: 4 } });
    const clients: TestClient[] = [];
    const from = async (localAddress: string) => {
      const client = await TestClient.connect(world.port, { localAddress });
      clients.push(client);
      await client.hello();
      return client;
    };
    try {
      const user = world.server.identity.createSubAccount(world.appId, 'pat');
      expect((await (await from('127.0.0.9')).loginWithPassword(user.voipAccount, user.voipPwd)).userId).toBe(user.voipAccount);
      // two guesses from each of two addresses: under the per-address limit, at the per-account one
      for (const address of ['127.0.1.1', '127.0.1.2']) {
        const guesser = await from(address);
        for (let i = 0; i < 2; i++) await expectCode(guesser.loginWithPassword(user.voipAccount, 'guess'), ErrorCode.WRONG_PASSWORD);
      }
      await expectCode((await from('127.0.1.3')).loginWithPassword(user.voipAccount, user.voipPwd), ErrorCode.TOO_MANY_LOGIN_ATTEMPTS);
      expect((await (await from('127.0.0.9')).loginWithPassword(user.voipAccount, user.voipPwd)).userId).toBe(user.voipAccount);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await world.stop();
    }
  });
});
