import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { formatCompactTimestamp } from '../../../server/auth/signature';
import { restAuthorization, restSignature } from '../../../server/rest/rest-auth';
import { startTestServer, type TestServer } from '../../support/test-server';
import { CST_MINUTES, restClient, waitFor } from './rest-fixture';

/** The REST signature is valid for minutes and not bound to its URL: it must never reach the log. */
describe('the REST log', () => {
  let server: TestServer;
  let logText = '';
  const lines = () =>
    logText
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logText += chunk.toString();
        done();
      },
    });
    server = await startTestServer({ logger: pino({ level: 'trace' }, capture), tuning: { restMaxRefusals: 1_000_000 } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('an upload cut mid-body is a refused short body (UPLOAD_MISMATCH, 400), not a 500, and its sig= is not logged', async () => {
    const { accountSid, authToken, appId, httpPort } = server;
    const timestamp = formatCompactTimestamp(Date.now(), CST_MINUTES);
    const sig = restSignature(accountSid, authToken, timestamp);
    const cut = httpRequest({
      host: '127.0.0.1',
      port: httpPort,
      method: 'POST',
      path: `/v1/accounts/${accountSid}/apps/${appId}/files?kind=file&sig=${sig}`,
      headers: { authorization: restAuthorization(accountSid, timestamp), 'content-type': 'application/octet-stream', 'content-length': '100000' },
    });
    cut.on('error', () => undefined);
    cut.write(Buffer.alloc(1000));
    const uploads = () => (server.server.db.prepare('SELECT COUNT(*) AS n FROM uploads').get() as { n: number }).n;
    await waitFor(() => uploads() > 0, 5_000, 'the upload to start');
    cut.destroy();
    await waitFor(() => lines().some((l) => l.msg === 'REST request refused' || l.msg === 'REST request failed'), 5_000, 'the cut upload to be logged');
    const logged = lines().find((l) => l.msg === 'REST request refused' || l.msg === 'REST request failed')!;
    expect(logged).toMatchObject({ status: 400, route: '/v1/accounts/:accountSid/apps/:appId/files', path: `/v1/accounts/${accountSid}/apps/${appId}/files` });
    expect((logged.err as { code?: number }).code).toBe(ErrorCode.UPLOAD_MISMATCH);
    expect(lines().filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(logText).not.toContain('sig=');
    expect(logText).not.toContain(sig);
  });

  it('a refused signed request logs its route and path, never its query', async () => {
    const call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    const before = lines().length;
    const missing = await call('GET', `/v1/accounts/{sid}/apps/${'0'.repeat(32)}?secret=1`);
    expect(missing.status).toBe(404);
    const stale = await call('GET', `/v1/accounts/{sid}/apps/${server.appId}`, undefined, { atMs: Date.now() - 60 * 60_000 });
    expect(stale.status).toBe(401);
    const logged = lines().slice(before);
    expect(logged.filter((l) => l.msg === 'REST request refused')).toHaveLength(2);
    expect(logText).not.toContain('sig=');
    expect(logText).not.toContain('secret=1');
  });
});
