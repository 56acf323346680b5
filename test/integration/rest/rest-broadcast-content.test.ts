import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/**
 * A broadcast whose message no SEND would take is refused at once, with the refusal a send of it
 * answers, and starts no job: it was a 202 whose every recipient then failed, saying nothing why.
 */
describe('a broadcast of a message the server refuses', () => {
  let server: TestServer;
  let call: RestCall;

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    server.createUser('bob');
  });
  afterAll(async () => {
    await server.stop();
  });

  const refused: [string, Record<string, unknown>, number][] = [
    ['white space alone', { type: 'text', text: ' \n ' }, ErrorCode.INVALID_MESSAGE],
    ['a control character', { type: 'text', text: 'hi\u001b[2J' }, ErrorCode.INVALID_MESSAGE],
    ['too long a text', { type: 'text', text: 'x'.repeat(5_001) }, ErrorCode.TEXT_TOO_LONG],
    ['mentions, which are for groups', { type: 'text', text: 'hi', mentions: ['bob'] }, ErrorCode.INVALID_MESSAGE],
    ['a custom command with a control character', { type: 'custom', custom: { command: 'a\u0000' } }, ErrorCode.INVALID_MESSAGE],
  ];

  it.each(refused)('%s: the send\'s own refusal, and no job', async (_what, message, code) => {
    const jobs = () => server.server.db.prepare<[], number>('SELECT COUNT(*) FROM broadcast_jobs').pluck().get();
    const before = jobs();
    const sent = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/messages`, { to: 'bob', message });
    const broadcast = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts`, { to: ['bob'], message });
    expect([broadcast.status, broadcast.json?.error?.code], broadcast.text).toEqual([400, code]);
    expect(broadcast.json.error).toEqual(sent.json.error);
    expect(jobs()).toBe(before);
  });

  it('a message a send takes still starts its job', async () => {
    const started = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts`, { to: ['bob'], message: { type: 'text', text: 'hi' } });
    expect(started.status, started.text).toBe(202);
  });
});
