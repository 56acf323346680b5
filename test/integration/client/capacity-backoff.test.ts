import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import type { ConnectionStatus } from '../../../main/engine/client-connection';
import { loginRequest } from '../../../main/client/login-request';
import { MagpieClient } from '../../../main/client/magpie-client';
import { fastTestTuning } from '../../../main/engine/tuning';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { eventually } from './client-fixture';

/** A server full for this app (or address) is not hammered: the client waits capacityBackoffMs, then gets in. */
describe('a login refused for want of room', () => {
  let server: TestServer | undefined;
  let client: MagpieClient | undefined;
  let hog: TestClient | undefined;
  let profile: string | undefined;

  afterEach(async () => {
    client?.close();
    await client?.store.closed;
    await hog?.close();
    await server?.stop();
    if (profile) await rm(profile, { recursive: true, force: true, maxRetries: 5 });
  });

  it('TOO_MANY_SESSIONS_FOR_APP is retried after the long capacity delay, not the short reconnect ones, and not given up', async () => {
    server = await startTestServer({ tuning: { maxSessionsPerApp: 1 } });
    hog = await TestClient.connect(server.port);
    await hog.hello();
    await hog.loginWithAppToken(server.appId, server.appToken, 'hog01');

    profile = await mkdtemp(join(tmpdir(), 'magpie-capacity-'));
    const login = loginRequest(server.appId, { type: 'appToken', user: 'late01', token: server.appToken }, { deviceId: 'late-desk' });
    const capacityBackoffMs = 1_500;
    client = new MagpieClient({
      profileDir: profile,
      servers: [`127.0.0.1:${server.port}`],
      login: { ...login, appId: server.appId, user: 'late01' },
      // no jitter: the one retry comes exactly capacityBackoffMs after the refusal
      tuning: { ...fastTestTuning, capacityBackoffMs, backoffJitterRatio: 0 },
      log: pino({ level: 'silent' }),
    });
    const refusals: ConnectionStatus[] = [];
    client.events.on('status', (status) => {
      if (status.state === 'reconnecting') refusals.push(status);
    });
    const started = client.start();
    await eventually(() => refusals.length > 0, 5_000, () => client!.status.state);
    expect(refusals[0]).toMatchObject({ code: ErrorCode.TOO_MANY_SESSIONS_FOR_APP });
    // the short delays (20, 40, 80 ... ms) would have tried several times by now
    await new Promise((resolve) => setTimeout(resolve, capacityBackoffMs * 0.6));
    expect(refusals).toHaveLength(1);

    // a place frees up: the waiting client gets in at its retry
    await hog.close();
    await started;
    expect(client.status.state).toBe('online');
  });
});
