import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { createDispatch } from '../../../main/api/dispatch';
import type { MagpieCore } from '../../../main/core/magpie-core';
import { openTestCore } from '../../support/test-core';
import type { ApiError, MethodArgs } from '../../../preload/api';
import { makeSelfSignedCert } from '../../support/self-signed-cert';
import { startTestServer, type TestServer } from '../../support/test-server';

/** What the sign-in form is told, and how soon, for addresses that cannot work. */
describe('the sign-in form\'s server addresses', () => {
  let server: TestServer;
  let certDir: string;
  const cores: MagpieCore[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'magpie-sign-in-cert-'));
    const cert = makeSelfSignedCert(certDir);
    server = await startTestServer({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(certDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(cores.splice(0).map((core) => core.shutdown()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  /** A sign-in with the production login timeout (20 s): what it answers, and after how long. */
  async function signIn(servers: string[]): Promise<{ error: ApiError | undefined; ms: number }> {
    const profileDir = mkdtempSync(join(tmpdir(), 'magpie-sign-in-'));
    dirs.push(profileDir);
    const core = openTestCore(profileDir);
    cores.push(core);
    const dispatch = createDispatch(core.handlers, (error) => {
      throw error;
    });
    const args: MethodArgs<'session.login'> = { servers, appId: server.appId, auth: { type: 'appToken', user: 'alice', token: server.appToken } };
    const started = Date.now();
    const result = await dispatch('session.login', args);
    return { error: result.ok ? undefined : result.error, ms: Date.now() - started };
  }

  it('a TLS address on the plain port fails at once with the hint to write tcp://', async () => {
    const { error, ms } = await signIn([`tls://127.0.0.1:${server.port}`]);
    expect(error).toMatchObject({ code: ErrorCode.TLS_UNAVAILABLE, address: `127.0.0.1:${server.port}` });
    expect(error?.message).toContain(`tcp://127.0.0.1:${server.port}`);
    expect(ms).toBeLessThan(5_000);
  });

  it('a plain address on the TLS port fails at once with the hint to write tls://', async () => {
    const { error, ms } = await signIn([`tcp://127.0.0.1:${server.tlsPort}`]);
    expect(error).toMatchObject({ code: ErrorCode.TLS_REQUIRED, address: `127.0.0.1:${server.tlsPort}` });
    expect(error?.message).toContain(`tls://127.0.0.1:${server.tlsPort}`);
    expect(ms).toBeLessThan(5_000);
  });

  it('the server\'s HTTP port fails at once, named as a web port rather than a bad frame', async () => {
    const { error, ms } = await signIn([`127.0.0.1:${server.httpPort}`]);
    expect(error).toMatchObject({ code: ErrorCode.NOT_MAGPIE_PORT, address: `127.0.0.1:${server.httpPort}` });
    expect(error?.message).toBe(
      `127.0.0.1:${server.httpPort} answers HTTP: it is a web port (the server's HTTP port serves REST and the console), not the server's client port (8883 unless it was moved)`,
    );
    expect(ms).toBeLessThan(5_000);
  });

  it('a closed port fails at once, once every address was refused', async () => {
    const { error, ms } = await signIn(['127.0.0.1:9', '127.0.0.2:9']);
    expect(error?.code).toBe(ErrorCode.NOT_CONNECTED);
    expect(error?.message).toMatch(/ECONNREFUSED/);
    expect(ms).toBeLessThan(5_000);
  });

  it('an entry that is no address, or whose port is none, is named with the field', async () => {
    const port = await signIn(['127.0.0.1:99999']);
    expect(port.error).toMatchObject({ code: ErrorCode.SERVER_ADDRESS_INVALID });
    expect(port.error?.message).toMatch(/^Server addresses: "127\.0\.0\.1:99999": the port 99999 is not a port number/);
    const text = await signIn(['not an address']);
    expect(text.error).toMatchObject({ code: ErrorCode.SERVER_ADDRESS_INVALID });
    expect(text.error?.message).toMatch(/^Server addresses: "not an address": it is not an address/);
  });
});
