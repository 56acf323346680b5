import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../protocol';
import { TestClient } from '../support/test-client';
import { startServerProcess, type ServerProcess } from './support/server-process';

/** A real user's password login must finish within this while the flood runs (it took over 10 s before). */
const LOGIN_BOUND_MS = 5_000;
const FLOOD_ADDRESSES = ['127.0.9.1', '127.0.9.2', '127.0.9.3', '127.0.9.4'];
const SOCKETS_PER_ADDRESS = 120;
const FLOOD_MS = 4_000;

async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof MagpieError ? error.code : -1),
  );
}

/**
 * Issue 10's login attacks against the shipped server (the bin, default tuning: the real scrypt
 * cost and the real limits), so they stay fixed. docs/reliability.md "Security / Logins".
 */
describe('login attacks on the shipped server', () => {
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  const clients: TestClient[] = [];

  async function from(localAddress: string): Promise<TestClient> {
    const client = await TestClient.connect(server!.port, { localAddress });
    clients.push(client);
    await client.hello();
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it(`a password login flood from ${FLOOD_ADDRESSES.length * SOCKETS_PER_ADDRESS} sockets on ${FLOOD_ADDRESSES.length} addresses leaves a real login fast`, { timeout: 60_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-login-flood-'));
    server = await startServerProcess({ dataDir });
    const alice = server.credentials.users.find((u) => u.voipAccount === 'alice')!;
    const flooders = await Promise.all(FLOOD_ADDRESSES.flatMap((address) => Array.from({ length: SOCKETS_PER_ADDRESS }, () => from(address))));
    const until = Date.now() + FLOOD_MS;
    let attempts = 0;
    // each flooder names a new user each time, with a proof that matches nothing: no scrypt is needed to send it
    const flood = Promise.all(
      flooders.map(async (flooder) => {
        while (Date.now() < until && !flooder.isClosed) {
          const user = `8${randomBytes(6).readUIntBE(0, 6).toString().padStart(13, '0').slice(0, 13)}`;
          await codeOf(flooder.ask('AUTH_START', { user, clientNonce: randomBytes(16) }, 'AUTH_CHALLENGE'));
          await codeOf(flooder.login({ auth: pb.AuthType.PASSWORD, user, clientProof: randomBytes(32) }));
          attempts++;
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const real = await from('127.0.0.1');
    const startedMs = Date.now();
    const result = await real.loginWithPassword(alice.voipAccount, alice.voipPwd);
    const loginMs = Date.now() - startedMs;
    await flood;
    console.log(`reliability: login-flood sockets=${flooders.length} attempts=${attempts} real_login_ms=${loginMs}`);
    expect(result.userId).toBe('alice');
    expect(loginMs).toBeLessThan(LOGIN_BOUND_MS);
  });

  it('100 wrong passwords from 21 addresses do not keep the owner out', { timeout: 60_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-login-lockout-'));
    // the shipped limits; only the scrypt cost is lowered, as 105 guesses each run it on the guessing client
    server = await startServerProcess({ dataDir, launcher: { kind: 'tuned', tuning: { scryptCost: 1024 } } });
    const { appId, appToken } = server.credentials;
    const bob = server.credentials.users.find((u) => u.voipAccount === 'bob')!;
    for (let a = 1; a <= 21; a++) {
      const guesser = await from(`127.0.10.${a}`);
      for (let i = 0; i < 5; i++) await codeOf(guesser.loginWithPassword(bob.voipAccount, `guess-${a}-${i}`));
    }
    // the lock holds for a new address's password login...
    expect(await codeOf((await from('127.0.11.1')).loginWithPassword(bob.voipAccount, bob.voipPwd))).toBe(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS);
    // ...but the app's sign-in gets the owner in from there, and ends it
    expect((await (await from('127.0.11.1')).loginWithAppToken(appId, appToken, bob.voipAccount)).userId).toBe('bob');
    expect((await (await from('127.0.11.2')).loginWithPassword(bob.voipAccount, bob.voipPwd)).userId).toBe('bob');
  });
});
