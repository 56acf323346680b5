import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { DEFAULT_TUNING, type Tuning } from '../../../server/tuning';
import { TestClient, type LoginOptions } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';

/** Logged-in sessions are capped per user and device kind, per address and per app. */
describe('session caps', () => {
  let world: TestServer | undefined;
  const clients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await world?.stop();
    world = undefined;
  });

  async function open(tuning: Partial<Tuning> = {}): Promise<TestServer> {
    world = await startTestServer({ tuning });
    return world;
  }

  async function login(appId: string, appToken: string, userId: string, options: LoginOptions = {}, localAddress?: string) {
    const client = await TestClient.connect(world!.port, localAddress ? { localAddress } : {});
    clients.push(client);
    await client.hello();
    return { client, login: client.loginWithAppToken(appId, appToken, userId, options) };
  }

  it(`one user gets at most ${DEFAULT_TUNING.maxSessionsPerUserDevice} sessions of one device kind (shipped default); other users are not touched`, async () => {
    const { appId, appToken } = await open();
    const max = DEFAULT_TUNING.maxSessionsPerUserDevice;
    for (let i = 0; i < max; i++) await (await login(appId, appToken, 'hog01', { device: pb.DeviceKind.BOT })).login;
    const over = await login(appId, appToken, 'hog01', { device: pb.DeviceKind.BOT });
    await expect(over.login).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_SESSIONS_FOR_USER });
    // the refused socket stays open, like a failed login, and the user's other device kinds still log in
    await over.client.ping();
    await (await login(appId, appToken, 'hog01', { device: pb.DeviceKind.MOBILE })).login;
    await (await login(appId, appToken, 'other01', { device: pb.DeviceKind.BOT })).login;
    // force mode replaces the sessions of that kind instead of being refused
    await (await login(appId, appToken, 'hog01', { device: pb.DeviceKind.BOT, mode: pb.LoginMode.FORCE })).login;
    expect(world!.server.stats().sessions).toBe(3);
  });

  it("a device coming back after a crash replaces its own ghost session at the cap; another device is still refused", async () => {
    const { appId, appToken } = await open({ maxSessionsPerUserDevice: 1 });
    // the crashed client's socket, still open as far as the server can tell (no logout, no FIN)
    const ghost = await login(appId, appToken, 'crash01', { device: pb.DeviceKind.DESKTOP, deviceId: 'desk-1' });
    await ghost.login;
    const kicked = ghost.client.waitForPush('KICKED');
    const back = await login(appId, appToken, 'crash01', { device: pb.DeviceKind.DESKTOP, deviceId: 'desk-1' });
    await back.login;
    expect(await kicked).toMatchObject({ code: ErrorCode.KICKED_OFF });
    // another desktop of the same user is still held to the cap (it must log in with force)
    const other = await login(appId, appToken, 'crash01', { device: pb.DeviceKind.DESKTOP, deviceId: 'desk-2' });
    await expect(other.login).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_SESSIONS_FOR_USER });
    expect(world!.server.stats().sessions).toBe(1);
  });

  it('CLI runs (BOT) sharing one profile\'s device id are live, not ghosts: one over the cap is refused and kicks none', async () => {
    const { appId, appToken } = await open({ maxSessionsPerUserDevice: 2 });
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const run = await login(appId, appToken, 'cli01', { device: pb.DeviceKind.BOT, deviceId: 'cli-profile' });
      await run.login;
      runs.push(run);
    }
    const over = await login(appId, appToken, 'cli01', { device: pb.DeviceKind.BOT, deviceId: 'cli-profile' });
    await expect(over.login).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_SESSIONS_FOR_USER });
    for (const run of runs) await run.client.ping();
    expect(world!.server.stats().sessions).toBe(2);
  });

  it('one address gets at most maxSessionsPerAddress sessions; another address still logs in', async () => {
    const { appId, appToken } = await open({ maxSessionsPerAddress: 4 });
    for (let i = 0; i < 4; i++) await (await login(appId, appToken, `addr${i}x`, {}, '127.0.0.1')).login;
    const over = await login(appId, appToken, 'addr9x', {}, '127.0.0.1');
    await expect(over.login).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_SESSIONS_FROM_ADDRESS });
    await (await login(appId, appToken, 'addr9x', {}, '127.0.0.2')).login;
    // a session that ends frees its place
    await clients[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await (await login(appId, appToken, 'addr8x', {}, '127.0.0.1')).login;
  });

  it('one app gets at most maxSessionsPerApp sessions; the users of another app still log in', async () => {
    const { appId, appToken, server, accountSid } = await open({ maxSessionsPerApp: 5 });
    for (let i = 0; i < 5; i++) await (await login(appId, appToken, `flood${i}x`, {}, `127.0.3.${i + 1}`)).login;
    const over = await login(appId, appToken, 'flood9x', {}, '127.0.3.9');
    await expect(over.login).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_SESSIONS_FOR_APP });
    const other = server.identity.createApp(accountSid, 'other app');
    await (await login(other.appId, other.appToken, 'victim01')).login;
  });
});
