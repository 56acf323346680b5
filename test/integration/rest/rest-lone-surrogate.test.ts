import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { consoleClient } from '../console/console-client';
import { restClient, type RestCall } from './rest-fixture';

/**
 * A JSON \u escape can name half a surrogate pair, which is no character: stored, it became U+FFFD
 * (a text "a\ud800b" read back as "a�b"), or a name answered with it and then found without it.
 * It is refused as a body that is not UTF-8 is, naming the field; a whole pair is the character.
 */
describe('a lone surrogate in a JSON body', () => {
  let server: TestServer;
  let call: RestCall;
  const app = () => `/v1/accounts/{sid}/apps/${server.appId}`;

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    server.createUser('bob');
  });
  afterAll(async () => {
    await server.stop();
  });

  const history = async () => (await call('GET', `${app()}/history?user=bob`)).json.messages as { text: string }[];

  it('is refused in a message, naming the field, and nothing is stored', async () => {
    for (const [raw, where, unit] of [
      ['{"to":"bob","message":{"type":"text","text":"a\\ud800b"}}', 'body/message/text', 'ud800'],
      ['{"to":"bob","message":{"type":"text","text":"\\ude00 trailing half"}}', 'body/message/text', 'ude00'],
      ['{"to":"bob","message":{"type":"custom","custom":{"command":"c","payload":"x\\udbff"}}}', 'body/message/custom/payload', 'udbff'],
      ['{"to":"bob","message":{"type":"text","text":"hi"},"\\ud800":1}', 'a field name in body', 'ud800'],
    ] as const) {
      const reply = await call('POST', `${app()}/messages`, undefined, { raw });
      expect([reply.status, reply.json?.error?.code], reply.text).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
      expect(reply.json.error.message).toMatch(new RegExp(`^${where} holds a lone surrogate \\(\\\\${unit}, U\\+`));
    }
    expect(await history()).toEqual([]);
  });

  it('is refused in a sub-account\'s name, over REST and in the console', async () => {
    const rest = await call('POST', `${app()}/subaccounts`, { friendlyName: 'n\udc00' });
    expect([rest.status, rest.json.error.code]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    expect(rest.json.error.message).toMatch(/^body\/friendlyName holds a lone surrogate/);

    const console = consoleClient(`http://127.0.0.1:${server.httpPort}`);
    expect((await console('POST', '/console/api/session', { accountSid: server.accountSid, authToken: server.authToken })).status).toBe(200);
    const page = await console('POST', `/console/api/apps/${server.appId}/subaccounts`, { friendlyName: 'n\udc00' });
    expect([page.status, page.json.error.code]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    expect((await call('GET', `${app()}/subaccounts`)).json.subAccounts.map((s: { friendlyName: string }) => s.friendlyName)).toEqual(['bob']);
  });

  it('takes a whole pair of escapes as its character', async () => {
    const reply = await call('POST', `${app()}/messages`, undefined, { raw: '{"to":"bob","message":{"type":"text","text":"\\ud83d\\ude00 ok"}}' });
    expect(reply.status, reply.text).toBe(200);
    expect((await history()).map((m) => m.text)).toEqual(['😀 ok']);
  });
});
