import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCompactTimestamp } from '../../../server/auth/signature';
import { restAuthorization, restSignature } from '../../../server/rest/rest-auth';
import { ErrorCode } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient } from './rest-fixture';

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

  /** A GET of the app signed by hand: each part can be got wrong the way an integrator does. */
  async function getApp(parts: { sig?: string; authorization?: string }): Promise<{ status: number; code: number; message: string }> {
    const query = parts.sig === undefined ? '' : `?sig=${parts.sig}`;
    const response = await fetch(`http://127.0.0.1:${server.httpPort}/v1/accounts/${server.accountSid}/apps/${server.appId}${query}`, {
      headers: parts.authorization === undefined ? {} : { authorization: parts.authorization },
    });
    const body = (await response.json()) as { error: { code: number; message: string } };
    return { status: response.status, code: body.error.code, message: body.error.message };
  }

  it('says which part of the signing is wrong and how to write it', async () => {
    const sid = server.accountSid;
    const timestamp = formatCompactTimestamp(Date.now(), 480);
    const sig = restSignature(sid, server.authToken, timestamp);
    const b64 = (text: string) => Buffer.from(text).toString('base64');

    const noSig = await getApp({ authorization: b64(`${sid}:${timestamp}`) });
    expect([noSig.status, noSig.code]).toEqual([401, ErrorCode.REST_AUTH_FAILED]);
    expect(noSig.message).toContain('sig query parameter');
    const noHeader = await getApp({ sig });
    expect(noHeader.message).toContain('Authorization header: base64(accountSid + ":" + timestamp)');
    // the header not base64-encoded
    const plain = await getApp({ sig, authorization: `${sid}:${timestamp}` });
    expect(plain.message).toContain('send it base64-encoded');
    // a timestamp written as a date with colons was said to be another account
    const dated = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const withColons = await getApp({ sig: restSignature(sid, server.authToken, dated), authorization: b64(`${sid}:${dated}`) });
    expect([withColons.status, withColons.code]).toEqual([401, ErrorCode.REST_AUTH_FAILED]);
    expect(withColons.message).toContain(`timestamp "${dated}" is not yyyyMMddHHmmss (14 digits, e.g. 20`);
    expect(withColons.message).toContain('UTC+8');
    // a wrong token, or a sig made with another timestamp than the header's
    const otherTime = formatCompactTimestamp(Date.now() - 60_000, 480);
    const mismatch = await getApp({ sig: restSignature(sid, server.authToken, otherTime), authorization: b64(`${sid}:${timestamp}`) });
    expect(mismatch.message).toMatch(/^the signature does not match: sig is the hex MD5 of accountSid \+ authToken \+ the timestamp in the Authorization header/);
    // a clock minutes off: the message says by how much and which way
    const ahead = formatCompactTimestamp(Date.now() + 7 * 60_000, 480);
    const skewed = await getApp({ sig: restSignature(sid, server.authToken, ahead), authorization: b64(`${sid}:${ahead}`) });
    expect([skewed.status, skewed.code]).toEqual([401, ErrorCode.REST_SIGNATURE_EXPIRED]);
    expect(skewed.message).toMatch(new RegExp(`${ahead} is 4[0-9]{2} s ahead of the server's 20[0-9]{12}; check the clock`));
    // a UTC timestamp: 8 hours behind
    const utc = formatCompactTimestamp(Date.now(), 0);
    const inUtc = await getApp({ sig: restSignature(sid, server.authToken, utc), authorization: b64(`${sid}:${utc}`) });
    expect(inUtc.message).toMatch(/is 28[0-9]{3} s behind the server's/);
  });

  it('describes in its OpenAPI document what the server takes and answers: XML on the classic paths, an upload\'s bytes, the error body', async () => {
    interface Operation {
      requestBody?: { content: Record<string, unknown> };
      responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown>; xml?: { name: string } } }> }>;
    }
    const doc = (await (await fetch(`http://127.0.0.1:${server.httpPort}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const classic = doc.paths['/2013-12-26/Accounts/{accountSid}/SubAccounts']!.post!;
    expect(Object.keys(classic.requestBody!.content).sort()).toEqual(['application/json', 'application/xml', 'text/xml']);
    expect(Object.keys(classic.responses['200']!.content!).sort()).toEqual(['application/json', 'application/xml']);
    expect(classic.responses['200']!.content!['application/xml']!.schema.xml).toEqual({ name: 'Response' });
    expect(classic.responses['4XX']!.content!['application/xml']!.schema.properties).toHaveProperty('statusMsg');
    const upload = doc.paths['/v1/accounts/{accountSid}/apps/{appId}/files']!.post!;
    expect(upload.requestBody!.content).toHaveProperty('*/*');
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const refusal = operation.responses['4XX']?.content?.['application/json']?.schema.properties;
        expect([method, path, refusal && Object.keys(refusal)]).toEqual([method, path, [path.startsWith('/v1/') ? 'error' : 'statusCode', ...(path.startsWith('/v1/') ? [] : ['statusMsg'])]]);
      }
    }
  });

  it('answers a method a path does not take with 405 naming the ones it does, and OPTIONS with Allow', async () => {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const sid = server.accountSid;
    const put = await fetch(`${base}/v1/accounts/${sid}/apps/${server.appId}/messages`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await put.json()).toEqual({ error: { code: ErrorCode.REST_NOT_FOUND, message: 'PUT is not a method of this path: it takes POST' } });
    const classic = await fetch(`${base}/2013-12-26/Accounts/${sid}/SubAccounts`, { headers: { accept: 'application/json' } });
    expect(classic.status).toBe(405);
    expect(await classic.json()).toEqual({ statusCode: String(ErrorCode.REST_NOT_FOUND), statusMsg: 'GET is not a method of this path: it takes POST' });
    const options = await fetch(`${base}/v1/accounts/${sid}/apps/${server.appId}`, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, HEAD, PATCH, DELETE, OPTIONS']);
    // a path the API does not have stays 404
    const none = await fetch(`${base}/v1/accounts/${sid}/apps/${server.appId}/nothing`, { method: 'OPTIONS' });
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { code: number } }).error.code).toBe(ErrorCode.REST_NOT_FOUND);
  });

  it('sends once per idempotencyKey and sender, answering the first send to a repeat whatever its body says', async () => {
    const call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    const path = `/v1/accounts/{sid}/apps/${server.appId}/messages`;
    const send = (from: string, text: string) => call('POST', path, { from, to: 'bob', idempotencyKey: 'order-42', message: { type: 'text', text } });
    const first = await send('alice', 'your order shipped');
    expect(first.status).toBe(200);
    const again = await send('alice', 'a changed text');
    expect(again.json).toEqual(first.json);
    const history = await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=alice&peer=bob`);
    expect(history.json.messages.map((m: { text: string }) => m.text)).toEqual(['your order shipped']);
    // another sender's key is its own
    const other = await send('carol', 'your order shipped');
    expect(other.json.msgId).not.toBe(first.json.msgId);
  });

  it('names a field left out as required and a query number that is none as not a number', async () => {
    const call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    const apps = `/v1/accounts/{sid}/apps/${server.appId}`;
    const noOwner = await call('POST', `${apps}/groups`, { name: 'Tea party' });
    expect([noOwner.status, noOwner.json.error]).toEqual([400, { code: ErrorCode.REST_BAD_REQUEST, message: 'body/owner is required (a string)' }]);
    const noUsers = await call('POST', `${apps}/presence`, {});
    expect(noUsers.json.error.message).toBe('body/users is required (an array)');
    const limit = await call('GET', `${apps}/history?user=alice&limit=ten`);
    expect([limit.status, limit.json.error]).toEqual([400, { code: ErrorCode.REST_BAD_REQUEST, message: 'querystring/limit is not a number' }]);
    // the other messages stay zod's, naming the field
    const wrongType = await call('POST', `${apps}/messages`, { to: 42, message: { type: 'text', text: 'x' } });
    expect(wrongType.json.error.message).toBe('body/to Invalid input: expected string, received number');
    const extra = await call('POST', `${apps}/messages`, { to: 'bob', text: 'hi', message: { type: 'text', text: 'x' } });
    expect(extra.json.error.message).toBe('body has a field this path does not take (see /v1/openapi.json): "text"');
  });

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

describe('REST: locked out after too many refusals', () => {
  it('says for how long every request is refused, in the message and in Retry-After', async () => {
    const server = await startTestServer({ tuning: { restMaxRefusals: 3, restRefusalWindowMs: 60_000 } });
    try {
      const call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
      for (let i = 0; i < 3; i++) expect((await call('GET', '/v1/accounts/{sid}/apps', undefined, { token: '0'.repeat(32) })).status).toBe(401);
      const timestamp = formatCompactTimestamp(Date.now(), 480);
      const response = await fetch(
        `http://127.0.0.1:${server.httpPort}/v1/accounts/${server.accountSid}/apps?sig=${restSignature(server.accountSid, server.authToken, timestamp)}`,
        { headers: { authorization: restAuthorization(server.accountSid, timestamp) } },
      );
      expect(response.status).toBe(429);
      const seconds = Number(response.headers.get('retry-after'));
      expect(seconds).toBeGreaterThanOrEqual(55);
      expect(seconds).toBeLessThanOrEqual(60);
      const body = (await response.json()) as { error: { code: number; message: string } };
      expect(body.error.code).toBe(ErrorCode.REST_RATE_LIMITED);
      expect(body.error.message).toBe(
        `too many refused requests from this address (3 within 60 s): every request from it is refused for ${seconds} s more; fix what the refusals said, then retry`,
      );
    } finally {
      await server.stop();
    }
  });
});
