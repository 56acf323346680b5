import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCompactTimestamp } from '../../../server/auth/signature';
import { restAuthorization, restSignature } from '../../../server/rest/rest-auth';
import { startTestServer, type TestServer } from '../../support/test-server';

/**
 * What an app server's developer meets on a first integration, written from docs/rest.md alone:
 * the mistakes a real integrator makes each get an answer that says what to fix.
 */
describe('REST: a first integration', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
  });
  afterAll(() => server.stop());

  it('reads the rest of a too-large body after its 413, so a client still sending it is not cut off', async () => {
    // a client in another process is still writing when the 413 arrives: here the rest is written
    // only once the answer is in, and must go through on the same, still open connection
    const socket = connect(server.httpPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const received = collect(socket);
    const size = 16 * 1024 * 1024;
    socket.write(signedHead('POST', `/v1/accounts/${server.accountSid}/apps/${server.appId}/messages`, 1, size));
    socket.write(Buffer.alloc(1024 * 1024, 0x20));
    await waitUntil(() => received.text().includes('"code":530001'));
    expect(received.text()).toMatch(/^HTTP\/1\.1 413/);
    expect(received.text().toLowerCase()).not.toContain('connection: close');
    const writeError = new Promise<unknown>((resolve) => socket.once('error', resolve));
    for (let sent = 1024 * 1024; sent < size; sent += 1024 * 1024) socket.write(Buffer.alloc(1024 * 1024, 0x20));
    // then an ordinary request on the same connection is answered
    const before = received.text().length;
    socket.write(signedHead('GET', `/v1/accounts/${server.accountSid}/apps/${server.appId}`, 2));
    const outcome = await Promise.race([
      waitUntil(() => received.text().slice(before).includes(server.appId)).then(() => 'answered'),
      writeError.then((error) => `write failed: ${String(error)}`),
      received.ended.then(() => 'closed by the server'),
    ]);
    expect(outcome).toBe('answered');
    expect(received.text().slice(before)).toMatch(/^HTTP\/1\.1 200/);
    socket.destroy();
  });

  function signedHead(method: string, path: string, nonce: number, contentLength?: number): string {
    const timestamp = formatCompactTimestamp(Date.now(), 480);
    const sig = restSignature(server.accountSid, server.authToken, timestamp);
    return [
      `${method} ${path}?sig=${sig}&nonce=${nonce} HTTP/1.1`,
      'Host: 127.0.0.1',
      `Authorization: ${restAuthorization(server.accountSid, timestamp)}`,
      ...(contentLength === undefined ? [] : ['Content-Type: application/json', `Content-Length: ${contentLength}`]),
      '',
      '',
    ].join('\r\n');
  }
});

function collect(socket: Socket): { text(): string; ended: Promise<void> } {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  socket.on('error', () => undefined);
  return { text: () => text, ended };
}

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
