import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { createClientFixture, eventually } from '../client/client-fixture';
import { hmacLoginSignature, TestClient } from '../../support/test-client';
import { testDatabaseArgs } from '../../support/test-database';
import { startTestServer, type TestServer } from '../../support/test-server';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const run = promisify(execFile);

/** Access taken away ends the live sessions at once, from another process (the admin CLI) or this one. */
describe('revoked access', () => {
  let world: TestServer;
  const clients: TestClient[] = [];
  const fixture = createClientFixture();

  async function session(appId: string, appToken: string, userId: string, device = pb.DeviceKind.DESKTOP): Promise<TestClient> {
    const client = await TestClient.connect(world.port);
    clients.push(client);
    await client.hello();
    await client.loginWithAppToken(appId, appToken, userId, { device });
    return client;
  }

  async function loginFails(body: Parameters<TestClient['login']>[0]): Promise<unknown> {
    const client = await TestClient.connect(world.port);
    clients.push(client);
    await client.hello();
    // a password login proves the password (AUTH_START first): the helper makes the whole exchange
    const attempt = body.auth === pb.AuthType.PASSWORD ? client.loginWithPassword(body.user ?? '', body.secret ?? '') : client.login(body);
    return attempt.then(
      () => 'logged in',
      (error: unknown) => error,
    );
  }

  async function admin(...args: string[]): Promise<void> {
    await run(process.execPath, [BIN, ...args, '--data', world.dataDir, ...testDatabaseArgs(world.dataDir)], { timeout: 60_000 });
  }

  beforeAll(async () => {
    world = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fixture.cleanup();
    await world.stop();
  });

  it('user close (the admin CLI) kicks every session of the user at once; no login method lets the id back in', async () => {
    const wendy = world.createUser('Wendy');
    const desktop = await session(world.appId, world.appToken, wendy.voipAccount);
    const mobile = await session(world.appId, world.appToken, wendy.voipAccount, pb.DeviceKind.MOBILE);
    const byPassword = await TestClient.connect(world.port);
    clients.push(byPassword);
    await byPassword.hello();
    await byPassword.loginWithPassword(wendy.voipAccount, wendy.voipPwd);
    const bystander = await session(world.appId, world.appToken, 'bystander01');
    // the real client core, as the desktop app runs it: it must end up "kicked" with the reason
    const app = await fixture.client(world, wendy.voipAccount);
    await app.start();

    await admin('user', 'close', wendy.subAccountSid);
    for (const client of [desktop, mobile, byPassword]) {
      const kicked = await client.waitForPush('KICKED', 3_000);
      expect(kicked).toMatchObject({ code: ErrorCode.SUB_ACCOUNT_CLOSED, reason: expect.stringMatching(/closed/) });
      await client.waitClosed();
    }
    await eventually(() => app.status.state === 'kicked', 3_000, () => `kicked, not ${app.status.state}`);
    expect(app.status).toMatchObject({ code: ErrorCode.SUB_ACCOUNT_CLOSED, reason: expect.stringMatching(/closed by the administrator/) });
    await bystander.ping();

    const ts = String(Date.now());
    for (const body of [
      { auth: pb.AuthType.PASSWORD, user: wendy.voipAccount, secret: wendy.voipPwd },
      { auth: pb.AuthType.APP_TOKEN, appId: world.appId, user: wendy.voipAccount, secret: world.appToken },
      { auth: pb.AuthType.SIGNED, appId: world.appId, user: wendy.voipAccount, timestamp: ts, secret: hmacLoginSignature(world.appId, wendy.voipAccount, ts, world.appToken) },
    ]) {
      expect(await loginFails(body)).toMatchObject({ code: ErrorCode.SUB_ACCOUNT_CLOSED });
    }
  }, 60_000);

  it('app offline (the admin CLI) kicks every session of the app, and only of that app', async () => {
    const other = world.server.identity.createApp(world.accountSid, 'doomed');
    const a = await session(other.appId, other.appToken, 'doomed01');
    const b = await session(other.appId, other.appToken, 'doomed02', pb.DeviceKind.BOT);
    const bystander = await session(world.appId, world.appToken, 'bystander02');
    await admin('app', 'offline', other.appId);
    for (const client of [a, b]) {
      expect(await client.waitForPush('KICKED', 3_000)).toMatchObject({ code: ErrorCode.APP_OFFLINE });
      await client.waitClosed();
    }
    await bystander.ping();
    expect(await loginFails({ auth: pb.AuthType.APP_TOKEN, appId: other.appId, user: 'doomed01', secret: other.appToken })).toMatchObject({
      code: ErrorCode.APP_OFFLINE,
    });
    // back online: logins work again, and an old revocation row ends nobody
    await admin('app', 'online', other.appId);
    const again = await session(other.appId, other.appToken, 'doomed01');
    await admin('user', 'list', '--app', other.appId);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await again.ping();
  }, 60_000);

  it('the in-process operation (what the REST layer calls) ends the sessions without waiting for the watcher', async () => {
    const zed = world.createUser('Zed');
    const client = await session(world.appId, world.appToken, zed.voipAccount);
    world.server.access.closeSubAccount(zed.subAccountSid);
    expect(await client.waitForPush('KICKED', 100)).toMatchObject({ code: ErrorCode.SUB_ACCOUNT_CLOSED });
  });
});
