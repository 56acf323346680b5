import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseArgs } from '../support/test-database';
import { ErrorCode, isMagpieError, pb } from '../../protocol';
import { DEFAULT_TUNING } from '../../server/tuning';
import { TestClient } from '../support/test-client';
import { startServerProcess, type ServerProcess } from './support/server-process';

const SERVER_BIN = join(import.meta.dirname, '../../bin/magpie-server.js');
const run = promisify(execFile);
/** Logins in flight at once: under the shipped cap on connections per address that have not logged in. */
const WAVE = 64;

interface Wave {
  readonly kept: TestClient[];
  readonly refused: Map<number, number>;
}

/**
 * Attacks on the session table and on revoked access, against the bin as shipped (default
 * tuning): one user opening session after session, one host logging in user after user, and a
 * sub-account closed by the admin CLI while it is online. Other apps' users must still log in,
 * and the closed user must be gone at once.
 */
describe('session floods and revoked access, against the shipped server', () => {
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  const clients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  /** Logs in `count` sessions, WAVE at a time; keeps those let in, closes those refused (by code). */
  async function flood(count: number, login: (client: TestClient, i: number) => Promise<unknown>, localAddress: string): Promise<Wave> {
    const kept: TestClient[] = [];
    const refused = new Map<number, number>();
    for (let start = 0; start < count; start += WAVE) {
      await Promise.all(
        Array.from({ length: Math.min(WAVE, count - start) }, async (_, k) => {
          const client = await TestClient.connect(server!.port, { localAddress });
          clients.push(client);
          await client.hello();
          try {
            await login(client, start + k);
            kept.push(client);
          } catch (error) {
            if (!isMagpieError(error)) throw error;
            refused.set(error.code, (refused.get(error.code) ?? 0) + 1);
            await client.close();
          }
        }),
      );
    }
    return { kept, refused };
  }

  it('caps sessions per user and per address, lets other apps in, and ends a closed account at once', { timeout: 120_000 }, async () => {
    const startedMs = Date.now();
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-reliability-sessions-'));
    server = await startServerProcess({ dataDir });
    const { appId, appToken, accountSid } = server.credentials;
    const admin = async (...args: string[]) =>
      JSON.parse((await run(process.execPath, [SERVER_BIN, ...args, '--data', dataDir!, ...testDatabaseArgs(dataDir!)], { timeout: 60_000 })).stdout) as Record<string, string>;

    // one user, session after session of one device kind
    const perUser = DEFAULT_TUNING.maxSessionsPerUserDevice;
    const oneUser = await flood(
      200,
      (client) => client.loginWithAppToken(appId, appToken, 'hog', { device: pb.DeviceKind.BOT }),
      '127.0.5.1',
    );
    expect(oneUser.kept).toHaveLength(perUser);
    expect([...oneUser.refused.keys()]).toEqual([ErrorCode.TOO_MANY_SESSIONS_FOR_USER]);

    // one host, user after user
    const perAddress = DEFAULT_TUNING.maxSessionsPerAddress;
    const oneHost = await flood(
      perAddress + 200 - perUser,
      (client, i) => client.loginWithAppToken(appId, appToken, `flood${i}`),
      '127.0.5.1',
    );
    expect(oneHost.kept).toHaveLength(perAddress - perUser);
    expect([...oneHost.refused.keys()]).toEqual([ErrorCode.TOO_MANY_SESSIONS_FROM_ADDRESS]);

    // meanwhile the users of another app, and of this one on another host, get in
    const other = await admin('app', 'create', '--account', accountSid, '--name', 'bystanders');
    const bystanders = await flood(20, (client, i) => client.loginWithAppToken(other.appId!, other.appToken!, `by${i}`), '127.0.5.2');
    expect(bystanders.kept).toHaveLength(20);
    const alice = server.credentials.users.find((u) => u.voipAccount === 'alice')!;
    const aliceSessions = await flood(3, (client, i) => client.loginWithPassword('alice', alice.voipPwd, { device: i }), '127.0.5.3');
    expect(aliceSessions.kept).toHaveLength(3);

    // the admin CLI closes alice's sub-account while she is online on three devices
    await admin('user', 'close', alice.subAccountSid);
    const closedAt = Date.now();
    const kicks = await Promise.all(aliceSessions.kept.map((c) => c.waitForPush('KICKED', 3_000)));
    const kickMs = Date.now() - closedAt;
    expect(kicks.map((k) => k.code)).toEqual([ErrorCode.SUB_ACCOUNT_CLOSED, ErrorCode.SUB_ACCOUNT_CLOSED, ErrorCode.SUB_ACCOUNT_CLOSED]);
    const back = await flood(1, (client) => client.loginWithAppToken(appId, appToken, 'alice'), '127.0.5.4');
    expect([...back.refused.keys()]).toEqual([ErrorCode.SUB_ACCOUNT_CLOSED]);
    await bystanders.kept[0]!.ping();
    expect(server.isAlive()).toBe(true);

    console.log(
      `reliability: session-flood userSessions=${oneUser.kept.length}/200 hostSessions=${oneHost.kept.length + oneUser.kept.length}/${perAddress + 200} ` +
        `otherAppLogins=${bystanders.kept.length}/20 closedAccountKicked=${kicks.length}/3 kickAfterCommandMs=${kickMs} ms=${Date.now() - startedMs}`,
    );
  });
});
