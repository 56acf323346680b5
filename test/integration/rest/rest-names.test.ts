import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/**
 * A name's surrounding white space is dropped the same way on every path: JSON (native and
 * classic) as XML, whose parser trims its values; a lookup by name likewise.
 */
describe('REST: names lose their surrounding white space on every path alike', () => {
  let server: TestServer;
  let call: RestCall;
  let app: string;
  const C = '/2013-12-26/Accounts/{sid}';
  const xml = { headers: { 'content-type': 'application/xml' } };
  const storedSub = (sid: string) =>
    (server.server.db.prepare('SELECT friendly_name AS name FROM sub_accounts WHERE sub_account_sid = ?').get(sid) as { name: string }).name;
  const storedApp = (appId: string) => (server.server.db.prepare('SELECT name FROM apps WHERE app_id = ?').get(appId) as { name: string }).name;

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    app = `/v1/accounts/{sid}/apps/${server.appId}`;
  });
  afterAll(() => server.stop());

  it('stores "  padded  " as "padded" from JSON as from XML, and finds it by either', async () => {
    const fromXml = await call('POST', `${C}/SubAccounts`, undefined, {
      ...xml,
      raw: `<SubAccount><appId>${server.appId}</appId><friendlyName>  x-padded  </friendlyName></SubAccount>`,
    });
    expect(storedSub(fromXml.json.SubAccount.subAccountSid)).toBe('x-padded');

    const native = await call('POST', `${app}/subaccounts`, { friendlyName: '  padded  ' });
    expect([native.status, native.json.friendlyName]).toEqual([201, 'padded']);
    expect(storedSub(native.json.subAccountSid)).toBe('padded');
    const classic = await call('POST', `${C}/SubAccounts`, { appId: server.appId, friendlyName: '\tc-padded\n' });
    expect(storedSub(classic.json.SubAccount.subAccountSid)).toBe('c-padded');
    // white space the way people type it: an ideographic space, a no-break space
    const wide = await call('POST', `${app}/subaccounts`, { friendlyName: '\u3000小明\u00a0' });
    expect(wide.json.friendlyName).toBe('小明');

    // the same name with spaces is the same name
    const again = await call('POST', `${app}/subaccounts`, { friendlyName: 'padded ' });
    expect([again.status, again.json.error.code]).toEqual([409, ErrorCode.NAME_TAKEN]);
    // 64 characters inside the spaces fit
    expect((await call('POST', `${app}/subaccounts`, { friendlyName: ` ${'y'.repeat(64)} ` })).status).toBe(201);

    // found by the name with or without its spaces, on every lookup
    const byQuery = await call('GET', `${app}/subaccounts?friendlyName=${encodeURIComponent('  padded ')}`);
    expect([byQuery.status, byQuery.json.subAccounts[0]?.subAccountSid]).toEqual([200, native.json.subAccountSid]);
    const byClassic = await call('POST', `${C}/QuerySubAccountByName`, { appId: server.appId, friendlyName: ' x-padded ' });
    expect(byClassic.json.SubAccount?.subAccountSid).toBe(fromXml.json.SubAccount.subAccountSid);
    const byXml = await call('POST', `${C}/QuerySubAccountByName`, undefined, {
      ...xml,
      raw: `<SubAccount><appId>${server.appId}</appId><friendlyName> c-padded </friendlyName></SubAccount>`,
    });
    expect(byXml.json.SubAccount?.subAccountSid).toBe(classic.json.SubAccount.subAccountSid);

    // a name stored with its spaces by an older server is still found as it was written
    server.server.db.prepare('UPDATE sub_accounts SET friendly_name = ? WHERE sub_account_sid = ?').run('  old  ', wide.json.subAccountSid);
    const old = await call('GET', `${app}/subaccounts?friendlyName=${encodeURIComponent('  old  ')}`);
    expect(old.json.subAccounts?.[0]?.subAccountSid).toBe(wide.json.subAccountSid);
  });

  it('names apps the same way, created and renamed', async () => {
    const created = await call('POST', '/v1/accounts/{sid}/apps', { name: '  Shop  ' });
    expect([created.status, created.json.name, storedApp(created.json.appId)]).toEqual([201, 'Shop', 'Shop']);
    const renamed = await call('PATCH', `/v1/accounts/{sid}/apps/${created.json.appId}`, { name: ' Store\n' });
    expect([renamed.json.name, storedApp(created.json.appId)]).toEqual(['Store', 'Store']);
  });

  it('still refuses a name of white space alone, saying so', async () => {
    const spaces = await call('POST', `${app}/subaccounts`, { friendlyName: '   ' });
    expect([spaces.status, spaces.json.error.code, spaces.json.error.message]).toEqual([400, ErrorCode.INVALID_USER_ID, expect.stringContaining('is all spaces')]);
  });
});
