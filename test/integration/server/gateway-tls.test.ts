import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('TLS listener', () => {
  let certDir: string;
  let world: TestServer;

  beforeAll(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'magpie-tls-'));
    const certFile = join(certDir, 'cert.pem');
    const keyFile = join(certDir, 'key.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', keyFile, '-out', certFile,
    ]);
    world = await startTestServer({ tls: { certFile, keyFile } });
  });
  afterAll(async () => {
    await world.stop();
    await rm(certDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('speaks the same protocol over TLS, beside the plain TCP listener', async () => {
    expect(world.tlsPort).toBeGreaterThan(0);
    const secure = await TestClient.connect(world.tlsPort!, { tls: true });
    const plain = await TestClient.connect(world.port);
    for (const client of [secure, plain]) await client.hello();
    const result = await secure.loginWithAppToken(world.appId, world.appToken, 'secure1');
    expect(result.userId).toBe('secure1');
    await secure.ping();
    await plain.ping();
    await Promise.all([secure.close(), plain.close()]);
  });
});
