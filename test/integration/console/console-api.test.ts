import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { MESSAGES_SINCE_SQL } from '../../../server/console/app-stats';
import { onPostgres } from '../../support/test-database';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { startPushReceiver, type PushReceiver } from '../push/push-receiver';
import { textBody } from '../server/chat-fixture';
import { consoleClient } from './console-client';

/** The console's test push interval here: long enough for a loaded machine's test push to come back within it. */
const TEST_PUSH_INTERVAL_MS = 1_500;
const pastTestPushInterval = () => new Promise((resolve) => setTimeout(resolve, TEST_PUSH_INTERVAL_MS + 50));

describe('the developer console API', () => {
  let server: TestServer;
  let receiver: PushReceiver;
  let base: string;
  let logText = '';
  const clients: TestClient[] = [];

  beforeAll(async () => {
    // the whole log at its most detailed level, to look for the secrets in it
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logText += chunk.toString();
        done();
      },
    });
    server = await startTestServer({ logger: pino({ level: 'trace' }, capture), tuning: { restMaxRefusals: 5, consoleTestPushIntervalMs: TEST_PUSH_INTERVAL_MS, pushTimeoutMs: 1_000 } });
    receiver = await startPushReceiver();
    base = `http://127.0.0.1:${server.httpPort}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await receiver.close();
    await server.stop();
  });

  async function signedIn() {
    const call = consoleClient(base);
    const reply = await call('POST', '/console/api/session', { accountSid: server.accountSid, authToken: server.authToken });
    expect(reply.status).toBe(200);
    return call;
  }

  it('signs in with the sid and token in the body and answers an HttpOnly, SameSite=Strict cookie on /console', async () => {
    const call = consoleClient(base);
    const reply = await call('POST', '/console/api/session', { accountSid: server.accountSid, authToken: server.authToken });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ accountSid: server.accountSid });
    const set = reply.headers.getSetCookie().join('\n');
    expect(set).toMatch(/^magpie_console=[A-Za-z0-9_-]{43};/);
    expect(set).toContain('Path=/console');
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).not.toContain(server.authToken);
    expect((await call('GET', '/console/api/session')).json).toEqual({ signedIn: true, accountSid: server.accountSid });
    expect((await call('GET', '/console/api/apps')).json.apps.map((a: { appId: string }) => a.appId)).toContain(server.appId);

    // signing in again replaces the browser's session
    const before = call.cookie()!;
    await call('POST', '/console/api/session', { accountSid: server.accountSid, authToken: server.authToken });
    expect(call.cookie()).not.toBe(before);
    // the replaced session is over: asked who is signed in, it answers nobody, and lets the browser drop its cookie
    const replaced = await consoleClient(base)('GET', '/console/api/session', undefined, { cookie: before });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toEqual({ signedIn: false });
    expect(replaced.headers.getSetCookie().join('\n')).toMatch(/^magpie_console=;/);
    expect((await call('GET', '/console/api/apps', undefined, { cookie: before })).status).toBe(401);

    expect((await call('DELETE', '/console/api/session')).status).toBe(200);
    expect((await call('GET', '/console/api/apps')).status).toBe(401);
  });

  it('refuses a body that is not JSON (text/plain included) with 415 REST_UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = JSON.stringify({ accountSid: server.accountSid, authToken: server.authToken });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const reply = await fetch(`${base}/console/api/session`, { method: 'POST', headers: { 'content-type': type, 'x-magpie-console': '1' }, body });
      expect([type, reply.status]).toEqual([type, 415]);
      expect(await reply.json()).toEqual({ error: { code: ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE, message: 'send JSON (application/json)' } });
    }
  });

  it('refuses a JSON body declared in a charset other than UTF-8 with 415', async () => {
    const call = await signedIn();
    const reply = await call('POST', '/console/api/apps', { name: 'café' }, { headers: { 'content-type': 'application/json; charset=latin1' } });
    expect([reply.status, reply.json.error.code]).toEqual([415, ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE]);
    expect(server.server.identity.listApps(server.accountSid).map((app) => app.name)).not.toContain('café');
  });

  it('answers "nobody is signed in" to a browser without a session, and 401 on every other path', async () => {
    const call = consoleClient(base);
    const nobody = await call('GET', '/console/api/session');
    expect(nobody.status).toBe(200);
    expect(nobody.json).toEqual({ signedIn: false });
    // no cookie came, so none is cleared
    expect(nobody.headers.getSetCookie()).toEqual([]);
    for (const [method, path] of [
      ['GET', '/console/api/apps'],
      ['POST', '/console/api/apps'],
      ['PATCH', `/console/api/apps/${server.appId}`],
      ['DELETE', `/console/api/apps/${server.appId}`],
      ['POST', `/console/api/apps/${server.appId}/token`],
      ['GET', `/console/api/apps/${server.appId}/push`],
      ['PUT', `/console/api/apps/${server.appId}/push`],
      ['POST', `/console/api/apps/${server.appId}/push/test`],
      ['GET', `/console/api/apps/${server.appId}/stats?sinceMs=0`],
      ['GET', `/console/api/apps/${server.appId}/subaccounts`],
      ['POST', `/console/api/apps/${server.appId}/subaccounts`],
      ['POST', `/console/api/apps/${server.appId}/subaccounts/${'0'.repeat(32)}/close`],
      ['POST', `/console/api/apps/${server.appId}/subaccounts/${'0'.repeat(32)}/reopen`],
      ['POST', `/console/api/apps/${server.appId}/subaccounts/${'0'.repeat(32)}/secrets`],
    ] as const) {
      const reply = await call(method, path, method === 'GET' ? undefined : {});
      expect({ method, path, status: reply.status, code: reply.json.error?.code }).toEqual({ method, path, status: 401, code: ErrorCode.REST_AUTH_FAILED });
    }
  });

  it('refuses a wrong token and an unknown account alike, and then the address, like REST refusals', async () => {
    const call = consoleClient(base);
    const wrong = await call('POST', '/console/api/session', { accountSid: server.accountSid, authToken: 'f'.repeat(32) });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe(ErrorCode.REST_AUTH_FAILED);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const unknown = await call('POST', '/console/api/session', { accountSid: 'a'.repeat(32), authToken: server.authToken });
    expect(unknown.json.error).toEqual(wrong.json.error);
    const bad = await call('POST', '/console/api/session', { accountSid: server.accountSid });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe(ErrorCode.REST_BAD_REQUEST);
    const cookieLess = await call('GET', '/console/api/apps', undefined, { anonymous: true });
    expect(cookieLess.status).toBe(401);
    const forged = await call('GET', '/console/api/apps', undefined, { cookie: 'magpie_console=AAAA' });
    expect(forged.status).toBe(401);
  });

  it('refuses a write without the CSRF header, from another origin or another site', async () => {
    const call = await signedIn();
    const noHeader = await call('POST', '/console/api/apps', { name: 'csrf' }, { noCsrf: true });
    expect(noHeader.status).toBe(403);
    expect(noHeader.json.error.code).toBe(ErrorCode.REST_FORBIDDEN);
    const elsewhere = await call('POST', '/console/api/apps', { name: 'csrf' }, { origin: 'http://evil.example' });
    expect(elsewhere.status).toBe(403);
    const crossSite = await call('POST', '/console/api/apps', { name: 'csrf' }, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const badOrigin = await call('DELETE', `/console/api/apps/${server.appId}`, undefined, { origin: 'null' });
    expect(badOrigin.status).toBe(403);
    const signInElsewhere = await consoleClient(base)('POST', '/console/api/session', { accountSid: server.accountSid, authToken: server.authToken }, { origin: 'http://evil.example' });
    expect(signInElsewhere.status).toBe(403);
    expect((await call('GET', '/console/api/apps')).json.apps.map((a: { name: string }) => a.name)).not.toContain('csrf');
  });

  it('manages an app through the REST services: offline ends sessions, rotation retires the old token, push test reaches the receiver', async () => {
    const call = await signedIn();
    const created = await call('POST', '/console/api/apps', { name: 'console app' });
    expect(created.status).toBe(201);
    const { appId, appToken } = created.json as { appId: string; appToken: string };

    const client = await TestClient.connect(server.port);
    clients.push(client);
    await client.hello();
    await client.loginWithAppToken(appId, appToken, 'carol');
    const since = Date.now() - 60_000;
    // a second device of the same user is still one user online
    const phone = await TestClient.connect(server.port);
    clients.push(phone);
    await phone.hello();
    await phone.loginWithAppToken(appId, appToken, 'carol', { device: pb.DeviceKind.MOBILE });
    expect((await call('GET', `/console/api/apps/${appId}/stats?sinceMs=${since}`)).json).toEqual({ onlineUsers: 1, messagesSince: 0 });
    await client.ask('SEND', textBody('dave', 'hi', 1), 'SENT');
    expect((await call('GET', `/console/api/apps/${appId}/stats?sinceMs=${since}`)).json).toEqual({ onlineUsers: 1, messagesSince: 1 });

    const rotated = await call('POST', `/console/api/apps/${appId}/token`, {});
    expect(rotated.json.appToken).not.toBe(appToken);
    const stale = await TestClient.connect(server.port);
    clients.push(stale);
    await stale.hello();
    await expect(stale.loginWithAppToken(appId, appToken, 'erin')).rejects.toMatchObject({ code: ErrorCode.TOKEN_AUTH_FAILED });

    expect((await call('PATCH', `/console/api/apps/${appId}`, { state: 'offline' })).json.state).toBe('offline');
    await client.closed;

    const push = await call('PUT', `/console/api/apps/${appId}/push`, { url: receiver.url });
    expect(push.json.url).toBe(receiver.url);
    expect(push.json.secret).toMatch(/^[0-9a-f]{32}$/);
    const tested = await call('POST', `/console/api/apps/${appId}/push/test`, {});
    expect(tested.json).toEqual({ delivered: true, status: 200 });
    const last = receiver.calls.at(-1)!;
    expect(last.body.type).toBe('magpie.push.test');
    expect(receiver.verify(last, push.json.secret)).toBe(true);
    // one test push per app per consoleTestPushIntervalMs: each answer tells something of an address
    const tooSoon = await call('POST', `/console/api/apps/${appId}/push/test`, {});
    expect([tooSoon.status, tooSoon.json.error.code]).toEqual([429, ErrorCode.REST_RATE_LIMITED]);
    await pastTestPushInterval();
    receiver.failNext(500);
    expect((await call('POST', `/console/api/apps/${appId}/push/test`, {})).json).toMatchObject({ delivered: false, status: 500 });

    // a closed port and a silent one answer alike: the test push does not scan the server's network
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const answers = [];
    for (const port of [closedPort, silentPort]) {
      await pastTestPushInterval();
      await call('PUT', `/console/api/apps/${appId}/push`, { url: `http://127.0.0.1:${port}/hook` });
      answers.push((await call('POST', `/console/api/apps/${appId}/push/test`, {})).json);
    }
    silent.close();
    const noAnswer = { delivered: false, reason: 'no-answer', error: 'no answer from the receiver (refused, host not found or silent: the server log says which)' };
    expect(answers).toEqual([noAnswer, noAnswer]);
    // the server's operator, who owns the network, reads in the log which it was
    const lines = logText.split('\n').filter((line) => line.includes('console test push got no answer'));
    expect(lines.map((line) => (JSON.parse(line) as { reason: string; appId: string }).reason)).toEqual([
      'the connection was refused (nothing listens there)',
      'no answer within 1000 ms',
    ]);
    // a status that is not 2xx says its code, and with no URL set the page is told so
    await pastTestPushInterval();
    await call('PUT', `/console/api/apps/${appId}/push`, { url: receiver.url });
    receiver.failNext(404);
    expect((await call('POST', `/console/api/apps/${appId}/push/test`, {})).json).toEqual({ delivered: false, reason: 'status', status: 404, error: 'the receiver answered 404' });
    await pastTestPushInterval();
    await call('PUT', `/console/api/apps/${appId}/push`, { url: null });
    expect((await call('POST', `/console/api/apps/${appId}/push/test`, {})).json).toMatchObject({ delivered: false, reason: 'no-url' });

    expect((await call('DELETE', `/console/api/apps/${appId}`)).json).toEqual({ deleted: true });
  });

  // SQLite's query plan (PostgreSQL's planner weighs indexes by statistics: docs/server.md, "PostgreSQL")
  it.skipIf(onPostgres())("counts today's messages by a range of message ids, not by an app's whole history", () => {
    const plan = server.server.db.prepare(`EXPLAIN QUERY PLAN ${MESSAGES_SINCE_SQL}`).all(0, server.appId, 0) as { detail: string }[];
    expect(plan.map((step) => step.detail)).toEqual([expect.stringMatching(/USING INTEGER PRIMARY KEY \(rowid>\?\)/)]);
  });

  it('pages, finds, closes and reopens sub-accounts; another account\'s app is refused', async () => {
    const call = await signedIn();
    const app = `/console/api/apps/${server.appId}/subaccounts`;
    const made = await call('POST', app, { friendlyName: 'frank' });
    expect(made.status).toBe(201);
    expect(made.json.subToken).toMatch(/^[0-9a-f]{32}$/);
    expect((await call('GET', `${app}?friendlyName=frank`)).json.subAccounts[0].subAccountSid).toBe(made.json.subAccountSid);
    expect((await call('GET', `${app}?friendlyName=nobody`)).json).toEqual({ total: 0, subAccounts: [] });
    const page = await call('GET', `${app}?offset=0&limit=1`);
    expect(page.json.subAccounts).toHaveLength(1);
    expect(page.json.total).toBeGreaterThanOrEqual(1);
    expect((await call('POST', `${app}/${made.json.subAccountSid}/close`, {})).json.closed).toBe(true);
    expect((await call('POST', `${app}/${made.json.subAccountSid}/reopen`, {})).json.closed).toBe(false);

    const other = server.server.identity.createAccount();
    const foreign = server.server.identity.createApp(other.accountSid, 'not yours');
    const refused = await call('GET', `/console/api/apps/${foreign.appId}/subaccounts`);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe(ErrorCode.REST_FORBIDDEN);
  });

  it('gives a sub-account new secrets, shown once: the old password logs nobody in, the new one does; another account\'s is refused', async () => {
    const call = await signedIn();
    const app = `/console/api/apps/${server.appId}/subaccounts`;
    const made = await call('POST', app, { friendlyName: 'grace' });
    const renewed = await call('POST', `${app}/${made.json.subAccountSid}/secrets`, {});
    expect(renewed.status, JSON.stringify(renewed.json)).toBe(200);
    expect(renewed.json).toMatchObject({ subAccountSid: made.json.subAccountSid, voipAccount: made.json.voipAccount, friendlyName: 'grace', closed: false });
    expect(renewed.json.subToken).toMatch(/^[0-9a-f]{32}$/);
    expect([renewed.json.subToken, renewed.json.voipPwd]).not.toContain(made.json.subToken);
    expect(renewed.json.voipPwd).not.toBe(made.json.voipPwd);
    const login = async (password: string) => {
      const client = await TestClient.connect(server.port);
      clients.push(client);
      await client.hello();
      return client.loginWithPassword(made.json.voipAccount as string, password);
    };
    await expect(login(made.json.voipPwd as string)).rejects.toMatchObject({ code: ErrorCode.WRONG_PASSWORD });
    await login(renewed.json.voipPwd as string);
    // the page lists it as it was: its secrets are never answered again
    expect((await call('GET', `${app}?friendlyName=grace`)).json.subAccounts[0]).not.toHaveProperty('voipPwd');

    const other = server.server.identity.createAccount();
    const foreign = server.server.identity.createApp(other.accountSid, 'not theirs');
    const theirs = server.server.identity.createSubAccount(foreign.appId, 'ivan');
    const refused = await call('POST', `/console/api/apps/${foreign.appId}/subaccounts/${theirs.subAccountSid}/secrets`, {});
    expect([refused.status, refused.json.error.code]).toEqual([403, ErrorCode.REST_FORBIDDEN]);
    const unknown = await call('POST', `${app}/${'0'.repeat(32)}/secrets`, {});
    expect([unknown.status, unknown.json.error.code]).toEqual([404, ErrorCode.USER_NOT_FOUND]);
  });

  it('ends a session when the auth token is rotated', async () => {
    const other = server.server.identity.createAccount();
    const call = consoleClient(base);
    expect((await call('POST', '/console/api/session', { accountSid: other.accountSid, authToken: other.authToken })).status).toBe(200);
    server.server.identity.rotateAuthToken(other.accountSid);
    expect((await call('GET', '/console/api/apps')).status).toBe(401);
  });

  it('serves the page with a strict CSP and no framing, at /console and at the bare address', async () => {
    const reply = await fetch(`${base}/console/`);
    expect([200, 503]).toContain(reply.status);
    expect(reply.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(reply.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(reply.headers.get('x-frame-options')).toBe('DENY');
    const redirect = await fetch(`${base}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/console/');
    // the port's bare address, as a developer types it into a browser
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
  });

  it('never writes the auth token, the session cookie or a sign-in body to the log', async () => {
    const call = await signedIn();
    await call('POST', '/console/api/session', { accountSid: server.accountSid, authToken: `${server.authToken}0` });
    await fetch(`${base}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-magpie-console': '1' }, body: `{"authToken":"${server.authToken}"` });
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toContain(server.authToken);
    expect(logText).not.toContain(call.cookie()!.split('=')[1]);
  });

  it('refuses every sign-in from an address past the refusal limit', async () => {
    const call = consoleClient(base);
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await call('POST', '/console/api/session', { accountSid: server.accountSid, authToken: 'e'.repeat(32) })).status;
    expect(last).toBe(429);
    const right = await call('POST', '/console/api/session', { accountSid: server.accountSid, authToken: server.authToken });
    expect(right.status).toBe(429);
    expect(right.json.error.code).toBe(ErrorCode.REST_RATE_LIMITED);
  });
});
