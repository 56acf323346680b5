import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/**
 * A dismissed group reads alike on its info and its members page: the info answered
 * `dismissed: true` while the members page was 400 GROUP_DISMISSED. Both answer 200, the members
 * page with no members (a dismissed group has none) and `dismissed: true`.
 */
describe('a dismissed group over REST', () => {
  let server: TestServer;
  let call: RestCall;
  let groups: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    groups = `/v1/accounts/{sid}/apps/${server.appId}/groups`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop();
  });

  it.each(['public', 'private'])('a %s group: info and members answer 200, both saying dismissed; a change is GROUP_DISMISSED', async (mode) => {
    const made = await call('POST', groups, { owner: 'alice', name: 'Tea party', mode, members: ['bob'] });
    expect(made.status, made.text).toBe(201);
    const groupId = made.json.groupId as string;
    const live = await call('GET', `${groups}/${groupId}/members`);
    expect([live.status, live.json.total, live.json.dismissed], live.text).toEqual([200, 2, false]);

    const bob = await TestClient.connect(server.port);
    clients.push(bob);
    await bob.hello();
    await bob.loginWithAppToken(server.appId, server.appToken, 'bob');
    expect((await call('DELETE', `${groups}/${groupId}`)).status).toBe(200);
    // the member's client is told, as it is of a client's dismiss
    const notice = await bob.waitForPush('PUSH');
    expect(notice.item.case).toBe('notice');

    const info = await call('GET', `${groups}/${groupId}`);
    expect([info.status, info.json.dismissed, info.json.memberCount], info.text).toEqual([200, true, 0]);
    const members = await call('GET', `${groups}/${groupId}/members`);
    expect([members.status, members.json], members.text).toEqual([200, { total: 0, members: [], dismissed: true }]);

    const added = await call('POST', `${groups}/${groupId}/members`, { users: ['carol'] });
    expect([added.status, added.json?.error?.code], added.text).toEqual([400, ErrorCode.GROUP_DISMISSED]);
    const again = await call('DELETE', `${groups}/${groupId}`);
    expect([again.status, again.json?.error?.code], again.text).toEqual([400, ErrorCode.GROUP_DISMISSED]);
  });
});
