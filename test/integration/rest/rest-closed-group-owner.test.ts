import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { restClient, type RestCall } from './rest-fixture';
import { startTestServer, type TestServer } from '../../support/test-server';

/** A closed sub-account makes and changes no group over REST, as it sends nothing: refused as its own login is. */
describe('REST group calls in a closed sub-account\'s name', () => {
  let server: TestServer;
  let call: RestCall;
  let app: string;

  beforeAll(async () => {
    server = await startTestServer();
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    app = `/v1/accounts/{sid}/apps/${server.appId}`;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('refuses a create, an add, a kick and a dismiss as it with 403 SUB_ACCOUNT_CLOSED; reads still answer; reopened it acts again', async () => {
    const made = await call('POST', `${app}/subaccounts`, { friendlyName: 'bob' });
    expect(made.status, made.text).toBe(201);
    const bob = made.json.voipAccount as string;
    const group = await call('POST', `${app}/groups`, { owner: bob, name: 'Night shift', members: ['carol'] });
    expect(group.status, group.text).toBe(201);
    const groupId = group.json.groupId as string;
    const groups = `${app}/groups`;

    expect((await call('POST', `${app}/subaccounts/${made.json.subAccountSid}/close`)).json.closed).toBe(true);
    const create = await call('POST', groups, { owner: bob, name: 'Day shift' });
    expect([create.status, create.json?.error?.code, create.json?.error?.message], create.text).toEqual([
      403,
      ErrorCode.SUB_ACCOUNT_CLOSED,
      `sub-account ${bob} is closed: no group can be created in its name (reopen it first)`,
    ]);
    const changes = await Promise.all([
      call('POST', `${groups}/${groupId}/members`, { users: ['dave'] }),
      call('POST', `${groups}/${groupId}/kick`, { users: ['carol'] }),
      call('DELETE', `${groups}/${groupId}`),
    ]);
    for (const reply of changes) {
      expect([reply.status, reply.json?.error?.code, reply.json?.error?.message], reply.text).toEqual([
        403,
        ErrorCode.SUB_ACCOUNT_CLOSED,
        `sub-account ${bob} is closed: it owns group ${groupId}, which cannot be changed in its name (reopen it first)`,
      ]);
    }
    // nothing changed, and the app still reads the group
    const info = await call('GET', `${groups}/${groupId}`);
    expect([info.status, info.json.dismissed, info.json.memberCount], info.text).toEqual([200, false, 2]);
    const members = await call('GET', `${groups}/${groupId}/members`);
    expect(members.json.members.map((m: { userId: string }) => m.userId).sort()).toEqual([bob, 'carol']);
    const count = server.server.db.prepare<[string], number>('SELECT COUNT(*) FROM groups WHERE app_id = ?').pluck().get(server.appId);
    expect(Number(count)).toBe(1);

    // a user id that is no sub-account still owns and changes groups
    expect((await call('POST', groups, { owner: 'erin', name: 'Tea party' })).status).toBe(201);
    await call('POST', `${app}/subaccounts/${made.json.subAccountSid}/reopen`);
    expect((await call('POST', `${groups}/${groupId}/members`, { users: ['dave'] })).status).toBe(200);
    expect((await call('POST', groups, { owner: bob, name: 'Day shift' })).status).toBe(201);
  });
});
