import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { onPostgres } from '../../support/test-database';
import { startTestServer } from '../../support/test-server';
import { restClient } from './rest-fixture';

/**
 * Two nodes on one PostgreSQL database: a signed REST request accepted by one is a replay on the
 * other (the shared rest_replays table, migration 11), not accepted once per node.
 */
describe.runIf(onPostgres())('REST replays across nodes (PostgreSQL)', () => {
  it('refuses on the second node the signed request the first accepted', async () => {
    const first = await startTestServer();
    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      const path = `/v1/accounts/{sid}/apps/${first.appId}/presence`;
      const viaFirst = restClient(`http://127.0.0.1:${first.httpPort}`, first.accountSid, first.authToken);
      const viaSecond = restClient(`http://127.0.0.1:${second.httpPort}`, first.accountSid, first.authToken);
      // the identical request: same timestamp, same URL, same body
      const atMs = Date.now();
      const accepted = await viaFirst('POST', path, { users: ['bob'] }, { noNonce: true, atMs });
      expect(accepted.status, accepted.text).toBe(200);
      const replayed = await viaSecond('POST', path, { users: ['bob'] }, { noNonce: true, atMs });
      expect([replayed.status, replayed.json?.error?.code]).toEqual([401, ErrorCode.REST_REPLAYED]);
      // another request (its own nonce) is accepted on either node
      expect((await viaSecond('POST', path, { users: ['bob'] })).status).toBe(200);
    } finally {
      await second.stop({ keepData: true });
      await first.stop();
    }
  });
});
