import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import type { ConnectionStatus } from '../../../main/engine/client-connection';
import { loginRequest } from '../../../main/client/login-request';
import { MagpieClient } from '../../../main/client/magpie-client';
import { fastTestTuning } from '../../../main/engine/tuning';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { eventually } from './client-fixture';

describe('a forced sign-in', () => {
  let server: TestServer | undefined;
  let proxy: CutProxy | undefined;
  let client: MagpieClient | undefined;
  let other: TestClient | undefined;
  let profile: string | undefined;

  afterEach(async () => {
    client?.close();
    await client?.store.closed;
    await other?.close();
    await proxy?.close();
    await server?.stop();
    if (profile) await rm(profile, { recursive: true, force: true, maxRetries: 5 });
  });

  it('forces only the sign-in itself: a reconnect never kicks a newer session of the same kind', async () => {
    server = await startTestServer();
    proxy = await startCutProxy({ port: server.port });
    profile = await mkdtemp(join(tmpdir(), 'magpie-force-'));
    const login = loginRequest(server.appId, { type: 'appToken', user: 'dana', token: server.appToken }, { mode: 'force', deviceId: 'old-desk' });
    client = new MagpieClient({
      profileDir: profile,
      servers: [proxy.address],
      login: { ...login, appId: server.appId, user: 'dana' },
      tuning: fastTestTuning,
      log: pino({ level: 'silent' }),
    });
    await client.start();

    // the old desktop loses its path; meanwhile the user signs in on a new desktop
    proxy.setRefusing(true);
    proxy.cutAll();
    await eventually(() => client!.status.state === 'reconnecting', 5_000, () => client!.status.state);
    other = await TestClient.connect(server.port);
    await other.hello();
    await other.loginWithAppToken(server.appId, server.appToken, 'dana', { deviceId: 'new-desk' });

    // the old desktop's path comes back: it reconnects, and the new session stays
    proxy.setRefusing(false);
    await eventually(() => client!.status.state === 'online', 10_000, () => client!.status.state);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(other.isClosed).toBe(false);
    expect(other.pushes.filter((p) => p.name === 'KICKED')).toEqual([]);
  });

  it('ends the replaced client: its status turns kicked with KICKED_OFF, and it stays off', async () => {
    server = await startTestServer();
    profile = await mkdtemp(join(tmpdir(), 'magpie-force-'));
    const login = loginRequest(server.appId, { type: 'appToken', user: 'eve', token: server.appToken }, { deviceId: 'first-desk' });
    client = new MagpieClient({
      profileDir: profile,
      servers: [`127.0.0.1:${server.port}`],
      login: { ...login, appId: server.appId, user: 'eve' },
      tuning: fastTestTuning,
      log: pino({ level: 'silent' }),
    });
    const statuses: ConnectionStatus[] = [];
    client.events.on('status', (status) => statuses.push(status));
    await client.start();

    other = await TestClient.connect(server.port);
    await other.hello();
    await other.loginWithAppToken(server.appId, server.appToken, 'eve', { deviceId: 'second-desk', device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.FORCE });
    await eventually(() => client!.status.state === 'kicked', 5_000, () => client!.status.state);
    expect(client.status).toMatchObject({ state: 'kicked', code: ErrorCode.KICKED_OFF });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(statuses.at(-1)).toMatchObject({ state: 'kicked' });
    expect(other.isClosed).toBe(false);
  });
});
