import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/**
 * A JSON body with a "__proto__" field (or a "constructor" holding "prototype") is refused, as
 * before, but saying what is wrong and where: it was "Body is not valid JSON", which it is.
 */
describe('a JSON body with a prototype key', () => {
  let server: TestServer;
  let call: RestCall;
  let path: string;

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    path = `/v1/accounts/{sid}/apps/${server.appId}/messages`;
  });
  afterAll(async () => {
    await server.stop();
  });

  const said = (where: string, key: string) =>
    `${where} has a field named "${key}", which no path takes: the server refuses it, as it could change what an object inherits; leave it out`;
  const cases: [string, string, string][] = [
    ['at the top', '{"__proto__": {"admin": true}, "to": "bob", "message": {"type": "text", "text": "hi"}}', said('body', '__proto__')],
    ['in the message', '{"to": "bob", "message": {"type": "text", "text": "hi", "__proto__": null}}', said('body/message', '__proto__')],
    ['in an array', '{"to": ["bob", {"__proto__": 1}], "message": {"type": "text", "text": "hi"}}', said('body/to/1', '__proto__')],
    ['a constructor holding prototype', '{"to": "bob", "message": {"type": "text", "text": "hi", "constructor": {"prototype": {}}}}', said('body/message/constructor', 'prototype')],
  ];

  it.each(cases)('%s: 400 REST_BAD_REQUEST naming the field, and nothing is sent', async (_where, raw, message) => {
    const reply = await call('POST', path, undefined, { raw });
    expect([reply.status, reply.json?.error], reply.text).toEqual([400, { code: ErrorCode.REST_BAD_REQUEST, message }]);
    expect((await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=bob`)).json.messages).toEqual([]);
  });

  it('text that is not JSON is still "not valid JSON"; "__proto__" inside a string is text', async () => {
    const broken = await call('POST', path, undefined, { raw: '{"to": "bob", "__proto__": ' });
    expect([broken.status, broken.json?.error?.code], broken.text).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    expect(broken.json.error.message).toMatch(/not valid JSON/);
    const text = await call('POST', path, { to: 'bob', message: { type: 'text', text: '"__proto__": {}' } });
    expect(text.status, text.text).toBe(200);
  });

  it('the console\'s API says the same', async () => {
    const reply = await fetch(`http://127.0.0.1:${server.httpPort}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-magpie-console': '1' },
      body: `{"accountSid": "${server.accountSid}", "authToken": "x", "__proto__": {}}`,
    });
    expect([reply.status, await reply.json()]).toEqual([400, { error: { code: ErrorCode.REST_BAD_REQUEST, message: said('body', '__proto__') } }]);
  });
});
