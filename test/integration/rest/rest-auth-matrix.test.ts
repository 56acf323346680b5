import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCompactTimestamp } from '../../../server/auth/signature';
import { restAuthorization, restSignature } from '../../../server/rest/rest-auth';
import { DEFAULT_TUNING } from '../../../server/tuning';
import { ErrorCode } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { CST_MINUTES, restClient, type RestCall } from './rest-fixture';

/**
 * Every endpoint refuses what is not signed right by the owner of what it names: a wrong token,
 * a stale timestamp, another account's app, a replay; and a bad body is a clear 400 that stores
 * nothing.
 */
interface Endpoint {
  readonly name: string;
  readonly method: string;
  /** {sid} is the account in the path; {app} the app. */
  readonly path: string;
  readonly body?: unknown;
  /** A body (or a query) that breaks the schema. */
  readonly bad?: { path?: string; body?: unknown };
}

const A = '/v1/accounts/{sid}/apps/{app}';
const C = '/2013-12-26/Accounts/{sid}';
const ENDPOINTS: readonly Endpoint[] = [
  { name: 'list apps', method: 'GET', path: '/v1/accounts/{sid}/apps' },
  { name: 'create app', method: 'POST', path: '/v1/accounts/{sid}/apps', body: { name: 'n' }, bad: { body: { name: 5 } } },
  { name: 'get app', method: 'GET', path: A },
  { name: 'edit app', method: 'PATCH', path: A, body: { name: 'x' }, bad: { body: { state: 'sleeping' } } },
  { name: 'delete app', method: 'DELETE', path: A },
  { name: 'app online', method: 'POST', path: `${A}/online` },
  { name: 'app offline', method: 'POST', path: `${A}/offline` },
  { name: 'rotate app token', method: 'POST', path: `${A}/token` },
  { name: 'get push', method: 'GET', path: `${A}/push` },
  { name: 'set push', method: 'PUT', path: `${A}/push`, body: { url: null }, bad: { body: { url: 42 } } },
  { name: 'presence', method: 'POST', path: `${A}/presence`, body: { users: ['bob'] }, bad: { body: { users: [] } } },
  { name: 'create sub-account', method: 'POST', path: `${A}/subaccounts`, body: { friendlyName: 'm' }, bad: { body: { friendlyName: 7 } } },
  { name: 'list sub-accounts', method: 'GET', path: `${A}/subaccounts`, bad: { path: `${A}/subaccounts?limit=0` } },
  { name: 'get sub-account', method: 'GET', path: `${A}/subaccounts/s1` },
  { name: 'close sub-account', method: 'POST', path: `${A}/subaccounts/s1/close` },
  { name: 'reopen sub-account', method: 'POST', path: `${A}/subaccounts/s1/reopen` },
  { name: 'new sub-account secrets', method: 'POST', path: `${A}/subaccounts/s1/secrets` },
  {
    name: 'send',
    method: 'POST',
    path: `${A}/messages`,
    body: { to: 'bob', message: { type: 'text', text: 'hi' } },
    bad: { body: { to: 'bob', message: { type: 'text', text: 'hi', colour: 'red' } } },
  },
  {
    name: 'broadcast',
    method: 'POST',
    path: `${A}/broadcasts`,
    body: { to: ['bob'], message: { type: 'text', text: 'hi' } },
    bad: { body: { to: ['not valid!'], message: { type: 'text', text: 'hi' } } },
  },
  { name: 'upload file', method: 'POST', path: `${A}/files?kind=file&name=a.txt`, body: { any: 'bytes' }, bad: { path: `${A}/files?kind=movie` } },
  { name: 'broadcast status', method: 'GET', path: `${A}/broadcasts/b1` },
  { name: 'history', method: 'GET', path: `${A}/history?user=bob`, bad: { path: `${A}/history?peer=bob` } },
  { name: 'create group', method: 'POST', path: `${A}/groups`, body: { owner: 'bob', name: 'g' }, bad: { body: { owner: 'bob', name: 'g', type: 'huge' } } },
  { name: 'group info', method: 'GET', path: `${A}/groups/gx` },
  { name: 'dismiss group', method: 'DELETE', path: `${A}/groups/gx` },
  { name: 'group members', method: 'GET', path: `${A}/groups/gx/members`, bad: { path: `${A}/groups/gx/members?offset=-1` } },
  { name: 'add members', method: 'POST', path: `${A}/groups/gx/members`, body: { users: ['bob'] }, bad: { body: { users: 'bob' } } },
  { name: 'kick members', method: 'POST', path: `${A}/groups/gx/kick`, body: { users: ['bob'] }, bad: { body: {} } },
  { name: 'classic AccountInfo', method: 'GET', path: `${C}/AccountInfo` },
  { name: 'classic SubAccounts', method: 'POST', path: `${C}/SubAccounts`, body: { appId: '{app}', friendlyName: 'c' }, bad: { body: { appId: '{app}' } } },
  { name: 'classic GetSubAccounts', method: 'POST', path: `${C}/GetSubAccounts`, body: { appId: '{app}' }, bad: { body: { appId: '{app}', offset: 'many' } } },
  {
    name: 'classic QuerySubAccountByName',
    method: 'POST',
    path: `${C}/QuerySubAccountByName`,
    body: { appId: '{app}', friendlyName: 'c' },
    bad: { body: { appId: '{app}', friendlyName: '' } },
  },
  { name: 'classic CloseSubAccount', method: 'POST', path: `${C}/CloseSubAccount`, body: { appId: '{app}', subAccountSid: 's1' }, bad: { body: { subAccountSid: 5 } } },
];

const TABLES = ['accounts', 'apps', 'sub_accounts', 'users', 'messages', 'inbox', 'groups', 'broadcast_jobs', 'push_pending', 'uploads'];

describe('REST: every endpoint checks signature, time, account and body', () => {
  let server: TestServer;
  let base: string;
  let asA: RestCall;
  let asB: RestCall;
  let appOfA: string;
  const counts = () => TABLES.map((table) => server.server.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number });
  const state = () => JSON.stringify([counts(), server.server.db.prepare('SELECT name, state, push_url FROM apps').all()]);

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    base = `http://127.0.0.1:${server.httpPort}`;
    asA = restClient(base, server.accountSid, server.authToken);
    const b = server.server.identity.createAccount();
    asB = restClient(base, b.accountSid, b.authToken);
    appOfA = server.appId;
  });
  afterAll(() => server.stop());

  const fill = (text: string) => text.replace('{app}', appOfA);
  const bodyOf = (body: unknown) => (body === undefined ? undefined : (JSON.parse(fill(JSON.stringify(body))) as unknown));

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: refuses a wrong token, a stale timestamp and another account, storing nothing`, async () => {
      const before = state();
      const path = fill(endpoint.path);
      const body = bodyOf(endpoint.body);

      const wrongToken = await asA(endpoint.method, path, body, { token: 'f'.repeat(32) });
      expect([wrongToken.status, codeOf(wrongToken)]).toEqual([401, ErrorCode.REST_AUTH_FAILED]);

      const stale = await asA(endpoint.method, path, body, { atMs: Date.now() - 6 * 60_000 });
      expect([stale.status, codeOf(stale)]).toEqual([401, ErrorCode.REST_SIGNATURE_EXPIRED]);

      // B signs for A's account path
      const foreignPath = await asB(endpoint.method, path, body, { pathSid: server.accountSid });
      expect([foreignPath.status, codeOf(foreignPath)]).toEqual([401, ErrorCode.REST_AUTH_FAILED]);

      const unsigned = await fetch(`${base}${path.replace('{sid}', server.accountSid)}`, { method: endpoint.method });
      expect(unsigned.status).toBe(401);
      expect(state()).toBe(before);

      // B signs for its own account path and names A's app: refused; naming no app, it is B's own call
      const other = await asB(endpoint.method, path, body);
      if (path.includes(appOfA) || JSON.stringify(body ?? '').includes(appOfA)) {
        expect([other.status, codeOf(other)]).toEqual([403, ErrorCode.REST_FORBIDDEN]);
        expect(state()).toBe(before);
      } else {
        expect(other.status).toBeLessThan(300);
      }
    });

    if (endpoint.bad) {
      it(`${endpoint.name}: a bad body or query is a clear 400 and stores nothing`, async () => {
        const before = state();
        const reply = await asA(endpoint.method, fill(endpoint.bad!.path ?? endpoint.path), bodyOf(endpoint.bad!.body ?? endpoint.body));
        expect(reply.status).toBe(400);
        expect(codeOf(reply)).toBe(ErrorCode.REST_BAD_REQUEST);
        expect(state()).toBe(before);
      });
    }
  }

  it('refuses the same signed request a second time (a replay), and broken JSON with a clear 400', async () => {
    const path = `/v1/accounts/{sid}/apps/${appOfA}/presence`;
    // one timestamp for both: two calls either side of a second's boundary would differ in it
    const atMs = Date.now();
    const first = await asA('POST', path, { users: ['bob'] }, { noNonce: true, atMs });
    expect(first.status).toBe(200);
    const again = await asA('POST', path, { users: ['bob'] }, { noNonce: true, atMs });
    expect([again.status, codeOf(again)]).toEqual([401, ErrorCode.REST_REPLAYED]);
    const broken = await asA('POST', path, undefined, { raw: '{"users": [', headers: { 'content-type': 'application/json' } });
    expect([broken.status, codeOf(broken)]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
  });

  it('refuses a sig given twice, the same value or not, saying it was given more than once', async () => {
    const atMs = Date.now();
    const sig = restSignature(server.accountSid, server.authToken, formatCompactTimestamp(atMs, CST_MINUTES));
    for (const [path, other] of [
      ['/v1/accounts/{sid}/apps', sig],
      ['/v1/accounts/{sid}/apps', 'A'.repeat(32)],
      ['/2013-12-26/Accounts/{sid}/AccountInfo', sig],
    ] as const) {
      // the client adds the right sig after this one: sig=X&sig=RIGHT
      const twice = await asA('GET', `${path}?sig=${other}`, undefined, { atMs });
      expect([path, twice.status, codeOf(twice)]).toEqual([path, 401, ErrorCode.REST_AUTH_FAILED]);
      expect(twice.json.error?.message ?? twice.json.statusMsg).toBe('the sig query parameter is given 2 times: give it once');
    }
  });

  it('refuses every body that is not JSON with 415 REST_UNSUPPORTED_MEDIA_TYPE, saying JSON only', async () => {
    const path = `/v1/accounts/{sid}/apps/${appOfA}/messages`;
    const body = JSON.stringify({ from: 'alice', to: 'bob', text: 'hi' });
    for (const type of ['text/plain', 'text/plain;charset=utf-8', 'application/octet-stream', 'application/xml', 'text/xml', 'application/x-www-form-urlencoded']) {
      const reply = await asA('POST', path, undefined, { raw: body, headers: { 'content-type': type } });
      expect([type, reply.status, codeOf(reply)]).toEqual([type, 415, ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE]);
      expect(reply.json.error.message).toBe('send JSON (application/json)');
    }
  });

  it('refuses a JSON body declared in a charset other than UTF-8 with 415, storing nothing; takes utf-8 however written', async () => {
    const path = `/v1/accounts/{sid}/apps/${appOfA}/subaccounts`;
    const before = state();
    for (const [n, charset] of ['latin1', 'ISO-8859-1', '"us-ascii"', 'utf-16', 'gbk', ''].entries()) {
      // UTF-8 bytes that a latin1 reader would take for other text (é is Ã©)
      const reply = await asA('POST', path, undefined, { raw: JSON.stringify({ friendlyName: `café-${n}` }), headers: { 'content-type': `application/json; charset=${charset}` } });
      expect([charset, reply.status, codeOf(reply)]).toEqual([charset, 415, ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE]);
      expect(reply.json.error.message).toBe(`the body is declared charset=${JSON.stringify(charset.replaceAll('"', ''))}: send it in UTF-8 (charset=utf-8, or no charset)`);
    }
    expect(state()).toBe(before);
    for (const [n, type] of ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF8', 'application/json; charset="UTF-8"'].entries()) {
      const reply = await asA('POST', path, undefined, { raw: JSON.stringify({ friendlyName: `café+${n}` }), headers: { 'content-type': type } });
      expect([type, reply.status, reply.json.friendlyName]).toEqual([type, 201, `café+${n}`]);
    }
  });

  it('refuses a body over the limit with 413, saying the limit and where files go', async () => {
    const path = `/v1/accounts/{sid}/apps/${appOfA}/messages`;
    const big = JSON.stringify({ from: 'alice', to: 'bob', message: { type: 'text', text: 'x'.repeat(DEFAULT_TUNING.httpBodyLimitBytes) } });
    const reply = await asA('POST', path, undefined, { raw: big, headers: { 'content-type': 'application/json' } });
    expect([reply.status, codeOf(reply)]).toEqual([413, ErrorCode.REST_BAD_REQUEST]);
    expect(reply.json.error.message).toMatch(/4 MiB.*\/files/);
  });

  it('answers an unknown path under /v1 with REST_NOT_FOUND', async () => {
    const reply = await asA('GET', '/v1/accounts/{sid}/nothing-here');
    expect([reply.status, codeOf(reply)]).toEqual([404, ErrorCode.REST_NOT_FOUND]);
  });
});

describe('REST: refusals are rate-limited per source', () => {
  it('refuses every request from an address after too many refused ones, and only from that address', async () => {
    const server = await startTestServer({ tuning: { restMaxRefusals: 3 } });
    try {
      const call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
      for (let i = 0; i < 3; i++) expect((await call('GET', '/v1/accounts/{sid}/apps', undefined, { token: '0'.repeat(32) })).status).toBe(401);
      const good = await call('GET', '/v1/accounts/{sid}/apps');
      expect([good.status, codeOf(good)]).toEqual([429, ErrorCode.REST_RATE_LIMITED]);
      // a forwarded-for header changes nothing: the source is the connection's address
      const spoofed = await call('GET', '/v1/accounts/{sid}/apps', undefined, { headers: { 'x-forwarded-for': '10.9.9.9' } });
      expect(spoofed.status).toBe(429);
      // another source (127.0.0.2, loopback too) is not blocked by this one's refusals
      const timestamp = formatCompactTimestamp(Date.now(), CST_MINUTES);
      const path = `/v1/accounts/${server.accountSid}/apps?sig=${restSignature(server.accountSid, server.authToken, timestamp)}`;
      const other = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          { host: '127.0.0.1', port: server.httpPort, path, localAddress: '127.0.0.2', headers: { authorization: restAuthorization(server.accountSid, timestamp) } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.end();
      });
      expect(other).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

function codeOf(reply: { json: unknown }): number | undefined {
  const json = reply.json as { error?: { code: number }; statusCode?: string } | undefined;
  if (json?.error) return json.error.code;
  if (json?.statusCode !== undefined && json.statusCode !== '000000') return Number(json.statusCode);
  return undefined;
}
