import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError } from '../../../protocol';
import { createChatService } from '../../../main/chat/chat-service';
import { fastTestTuning } from '../../../main/engine/tuning';
import { createKeyFileSecretBox } from '../../../main/settings/secret-box';
import { loadRememberedLogin } from '../../../main/settings/settings-file';
import type { ConnectionStatus } from '../../../main/engine/client-connection';
import { makeSelfSignedCert, type CertFiles } from '../../support/self-signed-cert';
import { openTestCore } from '../../support/test-core';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

const BIN = join(import.meta.dirname, '../../../bin/magpie.js');

describe('the client over TLS', () => {
  let server: TestServer;
  let dir: string;
  let cert: CertFiles;
  let other: CertFiles;
  const fixture = createClientFixture();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-tls-'));
    cert = makeSelfSignedCert(dir);
    other = makeSelfSignedCert(dir, ['127.0.0.1'], 'stranger');
    server = await startTestServer({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
  });
  afterAll(async () => {
    await fixture.cleanup();
    await server.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('logs in and chats over TLS when given the self-signed server\'s CA', async () => {
    const servers = [`tls://127.0.0.1:${server.tlsPort}`];
    const alice = await fixture.client(server, 'alice', { servers, transport: { caPem: cert.certPem } });
    const bob = await fixture.client(server, 'bob', { servers, transport: { caPem: cert.certPem } });
    await Promise.all([alice.start(), bob.start()]);
    expect(alice.status).toMatchObject({ state: 'online', server: `127.0.0.1:${server.tlsPort}` });
    const toBob: string[] = [];
    bob.events.on('ingested', (result) => toBob.push(...result.messages.filter((m) => !m.outgoing).map((m) => m.text)));
    await createChatService(alice).send('bob', { kind: 'text', text: 'over tls 加密' });
    await eventually(() => toBob.length === 1, 5_000);
    expect(toBob).toEqual(['over tls 加密']);
  });

  it('refuses an untrusted certificate with its own code, once, without retrying', async () => {
    for (const caPem of [undefined, other.certPem]) {
      const client = await fixture.client(server, 'carol', {
        servers: [`tls://127.0.0.1:${server.tlsPort}`],
        // a slow handshake on a loaded machine must not pass for a retried failure
        tuning: { connectTimeoutMs: 10_000, loginTimeoutMs: 10_000 },
        ...(caPem ? { transport: { caPem } } : {}),
      });
      const states: ConnectionStatus[] = [];
      client.events.on('status', (s) => states.push(s));
      const failure = await client.start().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(MagpieError);
      expect((failure as MagpieError).code).toBe(ErrorCode.CERTIFICATE_REJECTED);
      expect((failure as MagpieError).message).toMatch(/certificate is not trusted/);
      expect(states.map((s) => s.state)).toEqual(['connecting', 'offline']);
      expect(states.at(-1)?.code).toBe(ErrorCode.CERTIFICATE_REJECTED);
    }
  });

  it('a plain address on the TLS port, and a tls:// address on the plain port, fail the sign-in at once with their own codes and the address', { timeout: 30_000 }, async () => {
    const profileDir = join(dir, 'wrong-port');
    // long timeouts: the answer must come from the wrong port itself, not from a timeout
    const core = openTestCore(profileDir, { tuning: { ...fastTestTuning, connectTimeoutMs: 10_000, loginTimeoutMs: 10_000 } });
    const login = (address: string) =>
      core.handlers['session.login']({ servers: [address], appId: server.appId, auth: { type: 'appToken', user: 'fay01', token: server.appToken }, remember: false });
    try {
      const plainOnTls = `127.0.0.1:${server.tlsPort}`;
      const started = Date.now();
      await expect(login(plainOnTls)).rejects.toMatchObject({
        code: ErrorCode.TLS_REQUIRED,
        address: plainOnTls,
        message: expect.stringContaining(`tls://${plainOnTls}`),
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      const tlsOnPlain = `127.0.0.1:${server.port}`;
      await expect(login(`tls://${tlsOnPlain}`)).rejects.toMatchObject({
        code: ErrorCode.TLS_UNAVAILABLE,
        address: tlsOnPlain,
        message: expect.stringContaining(`tcp://${tlsOnPlain}`),
      });
      // the TLS port still serves TLS clients after the plain one was turned away
      await expect(login(`tls://127.0.0.1:${server.tlsPort}`)).rejects.toMatchObject({ code: ErrorCode.CERTIFICATE_REJECTED });
    } finally {
      await core.shutdown();
    }
  });

  it('the desktop login takes the CA file from its advanced options, and remembers it', { timeout: 30_000 }, async () => {
    const profileDir = join(dir, 'core');
    const core = openTestCore(profileDir);
    const login = (caFile?: string) =>
      core.handlers['session.login']({
        servers: [`tls://127.0.0.1:${server.tlsPort}`],
        appId: server.appId,
        auth: { type: 'appToken', user: 'erin', token: server.appToken },
        remember: true,
        ...(caFile ? { caFile } : {}),
      });
    try {
      await expect(login()).rejects.toMatchObject({ code: ErrorCode.CERTIFICATE_REJECTED });
      await expect(login(join(dir, 'missing.pem'))).rejects.toMatchObject({ code: ErrorCode.CERTIFICATE_REJECTED, message: expect.stringMatching(/cannot be read/) });
      await expect(login(cert.certFile)).resolves.toMatchObject({ userId: 'erin' });
      expect(loadRememberedLogin(join(profileDir, 'login.json'), createKeyFileSecretBox(join(profileDir, 'secret.key')))).toMatchObject({ caFile: cert.certFile });
    } finally {
      await core.shutdown();
    }
  });

  it('the CLI connects with --ca and exits 4 with the certificate code without it', { timeout: 30_000 }, async () => {
    const base = ['--server', `tls://127.0.0.1:${server.tlsPort}`, '--app', server.appId, '--token', server.appToken, '--user', 'dave'];
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const ok = await run([...base, '--profile', join(dir, 'cli-ok'), '--ca', cert.certFile, 'send', '--to', 'bob', '--text', 'hi']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ state: 'sent', text: 'hi' });
    const refused = await run([...base, '--profile', join(dir, 'cli-no'), 'send', '--to', 'bob', '--text', 'hi']);
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stderr.trim().split('\n').at(-1)!)).toMatchObject({ code: ErrorCode.CERTIFICATE_REJECTED, name: 'CERTIFICATE_REJECTED' });
  });
});
