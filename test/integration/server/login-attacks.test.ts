import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MagpieClient } from '../../../main/client/magpie-client';
import { loginRequest } from '../../../main/client/login-request';
import { fastTestTuning } from '../../../main/engine/tuning';
import { authMessage, clientProof, ErrorCode, MagpieError, passwordKeys, pb, saltPassword } from '../../../protocol';
import { hashSecret } from '../../../server/identity/secrets';
import { formatCompactTimestamp, hmacLoginSignature, md5LoginSignature, TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { migration0004PasswordVerifiers } from '../../../server/storage/migrations/0004-password-verifiers';

async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof MagpieError ? error.code : -1),
  );
}

/** The attacks of issue 10 on logins, each against a real server over loopback sockets. */
describe('login attacks', () => {
  let world: TestServer | undefined;
  const clients: TestClient[] = [];

  async function from(localAddress = '127.0.0.1'): Promise<TestClient> {
    const client = await TestClient.connect(world!.port, { localAddress });
    clients.push(client);
    await client.hello();
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await world?.stop();
    world = undefined;
  });

  describe('a signed login', () => {
    function signed(user: string, timestamp: string, secret: string, md5 = false) {
      const algorithm = md5 ? pb.SignatureAlgorithm.MD5 : pb.SignatureAlgorithm.HMAC_SHA256;
      return { auth: pb.AuthType.SIGNED, appId: world!.appId, user, timestamp, secret, signatureAlgorithm: algorithm };
    }

    it('signed for user10 does not log user1 in with the digit moved into the timestamp', async () => {
      world = await startTestServer();
      const client = await from();
      const ts = String(Date.now());
      const issued = hmacLoginSignature(world.appId, 'user10', ts, world.appToken);
      expect(await codeOf(client.login(signed('user1', `0${ts}`, issued)))).toBe(ErrorCode.TOKEN_AUTH_FAILED);
      // nor does the old, bare concatenation sign anything any more
      const bare = createHmac('sha256', world.appToken).update(`${world.appId}user10${ts}`).digest('hex');
      expect(await codeOf(client.login(signed('user1', `0${ts}`, bare)))).toBe(ErrorCode.TOKEN_AUTH_FAILED);
      expect(await codeOf(client.login(signed('user10', ts, bare)))).toBe(ErrorCode.TOKEN_AUTH_FAILED);
      expect((await client.login(signed('user10', ts, issued))).userId).toBe('user10');
    });

    it("in the MD5 form cannot move a digit either: the timestamp is exactly yyyyMMddHHmmss", async () => {
      world = await startTestServer();
      const client = await from();
      const ts = formatCompactTimestamp(Date.now(), 480);
      const issued = md5LoginSignature(world.appId, 'user10', ts, world.appToken);
      expect(await codeOf(client.login(signed('user1', `0${ts}`, issued, true)))).toBe(ErrorCode.TOKEN_AUTH_FAILED);
      expect((await client.login(signed('user10', ts, issued, true))).userId).toBe('user10');
    });
  });

  describe('a password login', () => {
    it('never puts the password on the wire, and the server keeps no password-equivalent', async () => {
      world = await startTestServer();
      const user = world.createUser('wire');
      const relay = await startRecordingRelay(world.port);
      const profile = await mkdtemp(join(tmpdir(), 'magpie-scram-'));
      const login = loginRequest('', { type: 'password', user: user.voipAccount, password: user.voipPwd }, { deviceId: 'wire-desk' });
      const client = new MagpieClient({
        profileDir: profile,
        servers: [relay.address],
        login: { ...login, appId: world.appId, user: user.voipAccount },
        tuning: fastTestTuning,
        log: pino({ level: 'silent' }),
      });
      try {
        const result = await client.start();
        expect(result.userId).toBe(user.voipAccount);
        const sent = relay.sentToServer();
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.includes(Buffer.from(user.voipPwd, 'utf8'))).toBe(false);
        const stored = world.server.db.prepare('SELECT voip_pwd_hash FROM sub_accounts WHERE voip_account = ?').get(user.voipAccount) as {
          voip_pwd_hash: string;
        };
        expect(stored.voip_pwd_hash.startsWith('scram-scrypt$')).toBe(true);
      } finally {
        client.close();
        await client.store.closed;
        await relay.close();
        await rm(profile, { recursive: true, force: true, maxRetries: 5 });
      }
    });

    it('answers an unknown account with a stable, real-looking challenge', async () => {
      world = await startTestServer();
      const user = world.createUser('real');
      const client = await from();
      const start = (name: string) =>
        client.ask('AUTH_START', { user: name, clientNonce: randomBytes(16) }, 'AUTH_CHALLENGE');
      const [ghost1, ghost2, other, real] = [await start('80999999999999'), await start('80999999999999'), await start('80999999999998'), await start(user.voipAccount)];
      expect(Buffer.from(ghost1.salt).equals(Buffer.from(ghost2.salt))).toBe(true);
      expect(Buffer.from(ghost1.salt).equals(Buffer.from(other.salt))).toBe(false);
      expect(ghost1.salt.length).toBe(real.salt.length);
      expect([ghost1.scryptN, ghost1.scryptR, ghost1.scryptP]).toEqual([real.scryptN, real.scryptR, real.scryptP]);
      expect(await codeOf(client.loginWithPassword('80999999999999', 'anything'))).toBe(ErrorCode.WRONG_PASSWORD);
    });

    it("refuses a password LOGIN without a challenge, and a proof made for another connection's challenge", async () => {
      world = await startTestServer();
      const user = world.createUser('replay');
      const client = await from();
      expect(await codeOf(client.login({ auth: pb.AuthType.PASSWORD, user: user.voipAccount, clientProof: randomBytes(32) }))).toBe(
        ErrorCode.UNEXPECTED_FRAME,
      );
      // the old way, the password itself, is no login at all
      expect(await codeOf(client.login({ auth: pb.AuthType.PASSWORD, user: user.voipAccount, secret: user.voipPwd }))).toBe(
        ErrorCode.UNEXPECTED_FRAME,
      );
      // a proof seen on one connection is worth nothing on another: the server nonce differs
      const seen = await from();
      const clientNonce = randomBytes(16);
      const challenge = await seen.ask('AUTH_START', { user: user.voipAccount, clientNonce }, 'AUTH_CHALLENGE');
      const params = { N: challenge.scryptN, r: challenge.scryptR, p: challenge.scryptP };
      const keys = passwordKeys(await saltPassword(user.voipPwd, challenge.salt, params));
      const proof = clientProof(keys, authMessage({ appId: '', user: user.voipAccount, clientNonce, serverNonce: challenge.serverNonce, salt: challenge.salt, params }));
      const replayer = await from();
      await replayer.ask('AUTH_START', { user: user.voipAccount, clientNonce }, 'AUTH_CHALLENGE');
      expect(await codeOf(replayer.login({ auth: pb.AuthType.PASSWORD, user: user.voipAccount, clientProof: proof }))).toBe(ErrorCode.WRONG_PASSWORD);
      expect((await seen.login({ auth: pb.AuthType.PASSWORD, user: user.voipAccount, clientProof: proof })).userId).toBe(user.voipAccount);
    });

    it('still logs in a sub-account whose password was stored before the migration', async () => {
      world = await startTestServer();
      const user = world.createUser('legacy');
      const dataDir = world.dataDir;
      // the stored form of an older server, then migration 4 as an upgrade runs it (later steps
      // leave credentials alone, so they need not be undone)
      world.server.db.prepare('UPDATE sub_accounts SET voip_pwd_hash = ? WHERE voip_account = ?').run(hashSecret(user.voipPwd, 1024), user.voipAccount);
      world.server.db.transaction(() => migration0004PasswordVerifiers.up(world!.server.db))();
      await world.stop({ keepData: true });
      world = await startTestServer({ dataDir });
      const stored = world.server.db.prepare('SELECT voip_pwd_hash FROM sub_accounts WHERE voip_account = ?').get(user.voipAccount) as {
        voip_pwd_hash: string;
      };
      expect(stored.voip_pwd_hash.startsWith('scram-scrypt$')).toBe(true);
      expect((await (await from()).loginWithPassword(user.voipAccount, user.voipPwd)).userId).toBe(user.voipAccount);
      expect(await codeOf((await from()).loginWithPassword(user.voipAccount, 'not-it'))).toBe(ErrorCode.WRONG_PASSWORD);
    });
  });

  describe('failed-login limits', () => {
    it('varying app_id gives no more guesses at a password from one address', async () => {
      world = await startTestServer({ tuning: { maxFailedLogins: 5 } });
      const user = world.createUser('apps');
      const client = await from('127.0.3.1');
      for (let i = 0; i < 5; i++) {
        const appId = randomBytes(16).toString('hex');
        expect(await codeOf(client.loginWithPassword(user.voipAccount, `guess-${i}`, { appId }))).toBe(ErrorCode.WRONG_PASSWORD);
      }
      expect(await codeOf(client.loginWithPassword(user.voipAccount, user.voipPwd, { appId: randomBytes(16).toString('hex') }))).toBe(
        ErrorCode.TOO_MANY_LOGIN_ATTEMPTS,
      );
      expect(await codeOf(client.loginWithPassword(user.voipAccount, user.voipPwd))).toBe(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS);
    });

    it('junk logins with random app ids count per address and cannot flush an account lock', async () => {
      world = await startTestServer({
        tuning: { maxFailedLogins: 100, maxFailedLoginsPerAccount: 3, maxFailedLoginsPerAddress: 40, maxTrackedLoginKeys: 50 },
      });
      const user = world.createUser('flushed');
      for (const address of ['127.0.4.1', '127.0.4.2', '127.0.4.3']) {
        expect(await codeOf((await from(address)).loginWithPassword(user.voipAccount, 'guess'))).toBe(ErrorCode.WRONG_PASSWORD);
      }
      expect(await codeOf((await from('127.0.4.9')).loginWithPassword(user.voipAccount, user.voipPwd))).toBe(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS);
      // the flush: far more junk logins than any limiter keeps keys, from several addresses
      const codes = new Map<number | undefined, number>();
      for (const address of ['127.0.5.1', '127.0.5.2', '127.0.5.3', '127.0.5.4', '127.0.5.5']) {
        const junk = await from(address);
        const attempts = Array.from({ length: 60 }, (_, i) =>
          codeOf(
            i % 2 === 0
              ? junk.loginWithAppToken(randomBytes(16).toString('hex'), 'f'.repeat(32), `junk${i}`)
              : junk.loginWithPassword(`8${String(i).padStart(13, '0')}`, 'guess', { appId: randomBytes(16).toString('hex') }),
          ),
        );
        for (const code of await Promise.all(attempts)) codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      // each address got its 40 and was refused after, unchecked
      expect(codes.get(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS)).toBe(5 * 20);
      expect(await codeOf((await from('127.0.4.9')).loginWithPassword(user.voipAccount, user.voipPwd))).toBe(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS);
    });

    it('a locked-out user gets in with the app token from a new address, which ends the lock', async () => {
      // the defaults: 5 per address and account, 100 per account
      world = await startTestServer();
      const user = world.createUser('victim');
      for (let a = 1; a <= 21; a++) {
        const guesser = await from(`127.0.6.${a}`);
        for (let i = 0; i < 5; i++) await codeOf(guesser.loginWithPassword(user.voipAccount, `guess-${a}-${i}`));
      }
      expect(await codeOf((await from('127.0.7.1')).loginWithPassword(user.voipAccount, user.voipPwd))).toBe(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS);
      // the app's own sign-in is not a password guess: it works, and proves the user
      expect((await (await from('127.0.7.1')).loginWithAppToken(world.appId, world.appToken, user.voipAccount)).userId).toBe(user.voipAccount);
      expect((await (await from('127.0.7.2')).loginWithPassword(user.voipAccount, user.voipPwd)).userId).toBe(user.voipAccount);
    });

    it('a signed login also ends the lock', async () => {
      world = await startTestServer({ tuning: { maxFailedLoginsPerAccount: 2 } });
      const user = world.createUser('signer');
      for (const address of ['127.0.8.1', '127.0.8.2']) await codeOf((await from(address)).loginWithPassword(user.voipAccount, 'guess'));
      expect(await codeOf((await from('127.0.8.3')).loginWithPassword(user.voipAccount, user.voipPwd))).toBe(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS);
      const ts = String(Date.now());
      const secret = hmacLoginSignature(world.appId, user.voipAccount, ts, world.appToken);
      const client = await from('127.0.8.3');
      await client.login({ auth: pb.AuthType.SIGNED, appId: world.appId, user: user.voipAccount, timestamp: ts, secret });
      expect((await (await from('127.0.8.4')).loginWithPassword(user.voipAccount, user.voipPwd)).userId).toBe(user.voipAccount);
    });
  });
});

/** A TCP relay that records what the client sends, to look for the password in it. */
async function startRecordingRelay(targetPort: number): Promise<{ address: string; sentToServer(): Buffer; close(): Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    sockets.add(inbound);
    const outbound = connect(targetPort, '127.0.0.1');
    sockets.add(outbound);
    inbound.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      outbound.write(chunk);
    });
    outbound.on('data', (chunk: Buffer) => inbound.write(chunk));
    const end = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('close', end).on('error', end);
    outbound.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    sentToServer: () => Buffer.concat(chunks),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
