import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { MAX_BODY_DEPTH } from '../../../server/http/body-depth';
import { startTestServer, type TestServer } from '../../support/test-server';
import { consoleClient } from '../console/console-client';
import { restClient, type RestCall } from './rest-fixture';

/**
 * A body nested deeper than MAX_BODY_DEPTH is refused with a 400 before anything walks it (the
 * replay check's hash, the schema, the XML parser): a walk that recurses once per level would
 * overflow the stack on a body of a few hundred kilobytes and answer 500.
 */
const codeOf = (reply: { json: { error?: { code?: number } } | undefined }) => reply.json?.error?.code;
const nested = (levels: number, open: string, close: string, inner = '1') => open.repeat(levels) + inner + close.repeat(levels);

describe('REST and console: deeply nested bodies', () => {
  let server: TestServer;
  let call: RestCall;
  let sendPath: string;
  const messages = () => (server.server.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    sendPath = `/v1/accounts/{sid}/apps/${server.appId}/messages`;
  });
  afterAll(() => server.stop());

  it('refuses 100,000 nested arrays or objects in a native send with 400 REST_BAD_REQUEST naming the limit', async () => {
    const before = messages();
    for (const raw of [
      `{"to":"bob","message":${nested(100_000, '[', ']')}}`,
      `{"to":"bob","message":${nested(100_000, '{"a":', '}')}}`,
      // brackets inside strings do not count; escaped quotes do not end a string
      `{"to":"bob","message":{"type":"text","text":"\\"${'['.repeat(10)}"},"x":${nested(100_000, '[', ']')}}`,
    ]) {
      const reply = await call('POST', sendPath, undefined, { raw, headers: { 'content-type': 'application/json' } });
      expect([reply.status, codeOf(reply)]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
      expect(reply.json.error.message).toContain(`nested more than ${MAX_BODY_DEPTH} levels`);
    }
    expect(messages()).toBe(before);
  });

  it('takes a body at the limit to its schema as before, and brackets inside strings are text', async () => {
    const atLimit = `{"to":"bob","message":${nested(MAX_BODY_DEPTH - 1, '[', ']')}}`;
    const schema = await call('POST', sendPath, undefined, { raw: atLimit, headers: { 'content-type': 'application/json' } });
    expect([schema.status, codeOf(schema)]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    expect(schema.json.error.message).not.toContain('nested');

    const text = '['.repeat(1_000) + '{'.repeat(1_000);
    const sent = await call('POST', sendPath, { to: 'bob', message: { type: 'text', text } });
    expect(sent.status).toBe(200);
  });

  it('refuses deep JSON and deep XML on the classic paths with 400 REST_BAD_REQUEST', async () => {
    const path = '/2013-12-26/Accounts/{sid}/SubAccounts';
    const json = await call('POST', path, undefined, {
      raw: `{"appId":"${server.appId}","friendlyName":${nested(100_000, '[', ']')}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect([json.status, json.json?.statusCode]).toEqual([400, String(ErrorCode.REST_BAD_REQUEST)]);
    expect(json.json.statusMsg).toContain(`nested more than ${MAX_BODY_DEPTH} levels`);

    const xml = await call('POST', path, undefined, {
      raw: `<?xml version="1.0"?><SubAccount><appId>${server.appId}</appId>${nested(100_000, '<a>', '</a>', 'x')}</SubAccount>`,
      headers: { 'content-type': 'application/xml' },
    });
    expect([xml.status, xml.json?.statusCode]).toEqual([400, String(ErrorCode.REST_BAD_REQUEST)]);
    expect(xml.json.statusMsg).toContain(`nested more than ${MAX_BODY_DEPTH} levels`);

    // an ordinary XML body with a comment, CDATA and a self-closed element still works
    const ok = await call('POST', path, undefined, {
      raw: `<?xml version="1.0"?><!-- <a><a> --><SubAccount><appId>${server.appId}</appId><note/><friendlyName><![CDATA[deep-ok]]></friendlyName></SubAccount>`,
      headers: { 'content-type': 'application/xml' },
    });
    expect([ok.status, ok.json?.statusCode]).toEqual([200, '000000']);
  });

  it('refuses a deep body on the console API with 400 REST_BAD_REQUEST', async () => {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const console = consoleClient(base);
    expect((await console('POST', '/console/api/session', { accountSid: server.accountSid, authToken: server.authToken })).status).toBe(200);
    const response = await fetch(`${base}/console/api/apps`, {
      method: 'POST',
      headers: { origin: base, 'x-magpie-console': '1', cookie: console.cookie()!, 'content-type': 'application/json' },
      body: `{"name":${nested(100_000, '[', ']')}}`,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(ErrorCode.REST_BAD_REQUEST);
  });
});
