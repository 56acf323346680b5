import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { TestClient, type LoginOptions } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('sessions and devices', () => {
  let world: TestServer;
  const clients: TestClient[] = [];

  async function loggedIn(userId: string, options: LoginOptions): Promise<TestClient> {
    const client = await TestClient.connect(world.port);
    clients.push(client);
    await client.hello();
    await client.loginWithAppToken(world.appId, world.appToken, userId, options);
    return client;
  }

  beforeAll(async () => {
    world = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await world.stop();
  });

  it('force login kicks the same user on the same device kind with 175004 and a reason', async () => {
    const first = await loggedIn('paula', { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.FORCE, deviceId: 'pc-1' });
    const second = await loggedIn('paula', { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.FORCE, deviceId: 'pc-2' });
    const kicked = await first.waitForPush('KICKED');
    expect(kicked.code).toBe(ErrorCode.KICKED_OFF);
    expect(kicked.code).toBe(175004);
    expect(kicked.reason).toMatch(/another desktop device/);
    expect(kicked.byDevice).toBe(pb.DeviceKind.DESKTOP);
    await first.waitClosed();
    await second.ping();
    expect(world.server.stats().sessions).toBeGreaterThanOrEqual(1);
  });

  it('auto login keeps both sessions of the same device kind', async () => {
    const first = await loggedIn('quentin', { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.AUTO });
    const second = await loggedIn('quentin', { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.AUTO });
    await first.ping();
    await second.ping();
    expect(first.pushes.some((f) => f.name === 'KICKED')).toBe(false);
  });

  it('keeps a user online on several device kinds at once, even in force mode', async () => {
    const desktop = await loggedIn('rosa', { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.FORCE });
    const mobile = await loggedIn('rosa', { device: pb.DeviceKind.MOBILE, mode: pb.LoginMode.FORCE });
    const web = await loggedIn('rosa', { device: pb.DeviceKind.WEB, mode: pb.LoginMode.FORCE });
    for (const c of [desktop, mobile, web]) await c.ping();
    expect(desktop.isClosed || mobile.isClosed || web.isClosed).toBe(false);
  });

  it('force login of one user never kicks another user', async () => {
    const sam = await loggedIn('sam01', { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.FORCE });
    await loggedIn('tara1', { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.FORCE });
    await sam.ping();
  });

  it('counts sessions and forgets closed ones', async () => {
    const before = world.server.stats().sessions;
    const c = await loggedIn('uma01', { device: pb.DeviceKind.BOT });
    expect(world.server.stats().sessions).toBe(before + 1);
    await c.close();
    for (let i = 0; i < 50 && world.server.stats().sessions !== before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(world.server.stats().sessions).toBe(before);
  });
});
