import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startRestApp, type RestApp } from './rest-app-fixture';

/**
 * An app taken offline has its messaging off: its users' logins are refused APP_OFFLINE, and so
 * is every REST call that would reach its users (a send, a broadcast, an upload, a group made or
 * changed), which went through and reached no one who could log in; reads and the developer's own
 * management of the app keep answering.
 */
const offlineMessage = (appId: string) =>
  `app ${appId} is offline: nothing can be sent or changed for its users (take it online first: POST .../apps/${appId}/online)`;

describe('REST in an app taken offline', () => {
  let f: RestApp;
  beforeAll(async () => {
    f = await startRestApp();
  });
  afterAll(() => f.stop());

  it('refuses a send and a broadcast with 403 APP_OFFLINE, the code a login gets; reads answer; online again it sends', async () => {
    const send = () => f.call('POST', `${f.app}/messages`, { from: 'alice', to: 'bob', message: { type: 'text', text: 'hi' } });
    const broadcast = () => f.call('POST', `${f.app}/broadcasts`, { to: ['bob'], message: { type: 'text', text: 'all' } });
    expect((await send()).status).toBe(200);
    const jobs = () => f.server.server.db.prepare<[], number>('SELECT COUNT(*) FROM broadcast_jobs').pluck().get();

    expect((await f.call('POST', `${f.app}/offline`)).json.state).toBe('offline');
    const loginRefused = await f.login('bob').then(
      () => undefined,
      (error: { code: number }) => error.code,
    );
    expect(loginRefused).toBe(ErrorCode.APP_OFFLINE);
    const before = jobs();
    for (const reply of [await send(), await broadcast(), await f.call('POST', `${f.app}/broadcasts`, { message: { type: 'text', text: 'everyone' } })]) {
      expect([reply.status, reply.json?.error?.code, reply.json?.error?.message], reply.text).toEqual([
        403,
        ErrorCode.APP_OFFLINE,
        offlineMessage(f.server.appId),
      ]);
    }
    expect(jobs()).toBe(before);

    // reads keep answering: the app, its history, presence
    expect((await f.call('GET', f.app)).json.state).toBe('offline');
    const history = await f.call('GET', `${f.app}/history?user=alice&peer=bob`);
    expect(history.json.messages.map((m: { text: string }) => m.text)).toEqual(['hi']);
    expect((await f.call('POST', `${f.app}/presence`, { users: ['bob'] })).json.users).toEqual([{ userId: 'bob', online: false, devices: [] }]);

    expect((await f.call('POST', `${f.app}/online`)).json.state).toBe('online');
    const bob = await f.login('bob');
    expect((await send()).status).toBe(200);
    const push = await bob.waitForPush('PUSH');
    expect(push.item.case === 'message' && push.item.value.text).toBe('hi');
  });

  it('refuses every call that reaches users (upload, group create, add, kick, dismiss) with 403 APP_OFFLINE and changes nothing; reads and management answer', async () => {
    const { db } = f.server.server;
    const count = (table: string) => db.prepare<[], number>(`SELECT COUNT(*) FROM ${table}`).pluck().get();
    const upload = () => f.call('POST', `${f.app}/files?kind=file&from=alice&name=a.txt`, undefined, { raw: new TextEncoder().encode('hello'), headers: { 'content-type': 'text/plain' } });
    const made = await f.call('POST', `${f.app}/groups`, { owner: 'alice', name: 'Tea party', members: ['bob', 'carol'] });
    expect(made.status, made.text).toBe(201);
    const group = `${f.app}/groups/${made.json.groupId as string}`;
    expect((await upload()).status).toBe(201);
    const sub = await f.call('POST', `${f.app}/subaccounts`, { friendlyName: 'dora' });
    expect(sub.status, sub.text).toBe(201);
    const job = await f.call('POST', `${f.app}/broadcasts`, { to: ['bob'], message: { type: 'text', text: 'before' } });
    expect(job.status).toBe(202);

    expect((await f.call('POST', `${f.app}/offline`)).json.state).toBe('offline');
    const before = { uploads: count('uploads'), groups: count('groups'), members: count('group_members'), messages: count('messages'), jobs: count('broadcast_jobs') };
    const refused: [string, () => ReturnType<RestApp['call']>][] = [
      ['a send', () => f.call('POST', `${f.app}/messages`, { from: 'alice', to: 'bob', message: { type: 'text', text: 'hi' } })],
      ['a broadcast', () => f.call('POST', `${f.app}/broadcasts`, { message: { type: 'text', text: 'all' } })],
      ['an upload', upload],
      ['a group create', () => f.call('POST', `${f.app}/groups`, { owner: 'alice', name: 'Another' })],
      ['a member add', () => f.call('POST', `${group}/members`, { users: ['dave'] })],
      ['a kick', () => f.call('POST', `${group}/kick`, { users: ['carol'] })],
      ['a dismiss', () => f.call('DELETE', group)],
    ];
    const answers: unknown[] = [];
    for (const [what, call] of refused) {
      const reply = await call();
      answers.push([what, reply.status, reply.json?.error?.code, reply.json?.error?.message]);
    }
    expect(answers).toEqual(refused.map(([what]) => [what, 403, ErrorCode.APP_OFFLINE, offlineMessage(f.server.appId)]));
    expect({ uploads: count('uploads'), groups: count('groups'), members: count('group_members'), messages: count('messages'), jobs: count('broadcast_jobs') }).toEqual(before);
    // another account's app or an unknown one is answered as before, never with its state
    const unknown = await f.call('POST', `/v1/accounts/{sid}/apps/${'0'.repeat(32)}/groups`, { owner: 'alice', name: 'x' });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, ErrorCode.APP_NOT_FOUND]);

    // reads answer: the group, its members, the job, sub-accounts, push settings (the classic paths too)
    const answered: [string, () => ReturnType<RestApp['call']>][] = [
      ['the app', () => f.call('GET', f.app)],
      ['the group', () => f.call('GET', group)],
      ['its members', () => f.call('GET', `${group}/members`)],
      ['the job', () => f.call('GET', `${f.app}/broadcasts/${job.json.jobId as string}`)],
      ['history', () => f.call('GET', `${f.app}/history?group=${made.json.groupId as string}`)],
      ['presence', () => f.call('POST', `${f.app}/presence`, { users: ['bob'] })],
      ['sub-accounts', () => f.call('GET', `${f.app}/subaccounts`)],
      ['push settings', () => f.call('GET', `${f.app}/push`)],
      ['classic sub-accounts', () => f.call('POST', '/2013-12-26/Accounts/{sid}/GetSubAccounts', { appId: f.server.appId })],
      // the developer's management: renaming, secrets, tokens, accounts
      ['a rename', () => f.call('PATCH', f.app, { name: 'Renamed while offline' })],
      ['a sub-account create', () => f.call('POST', `${f.app}/subaccounts`, { friendlyName: 'erin' })],
      ['new sub-account secrets', () => f.call('POST', `${f.app}/subaccounts/${sub.json.subAccountSid as string}/secrets`)],
      ['a sub-account close', () => f.call('POST', `${f.app}/subaccounts/${sub.json.subAccountSid as string}/close`)],
      ['a sub-account reopen', () => f.call('POST', `${f.app}/subaccounts/${sub.json.subAccountSid as string}/reopen`)],
      ['a push change', () => f.call('PUT', `${f.app}/push`, { hideContent: true })],
      ['a new app token', () => f.call('POST', `${f.app}/token`)],
    ];
    for (const [what, call] of answered) {
      const reply = await call();
      expect([what, reply.status >= 200 && reply.status < 300, reply.json?.statusCode ?? '000000'], reply.text).toEqual([what, true, '000000']);
    }
    expect((await f.call('GET', `${group}/members`)).json.total).toBe(3);

    // online again, the same calls go through
    expect((await f.call('POST', `${f.app}/online`)).json.state).toBe('online');
    expect((await upload()).status).toBe(201);
    expect((await f.call('POST', `${group}/kick`, { users: ['carol'] })).status).toBe(200);
    expect((await f.call('DELETE', group)).status).toBe(200);
  });

  it('docs/rest.md lists exactly the paths the OpenAPI document marks as reaching users, and every signed path has a kind', async () => {
    const openapi = (await (await fetch(`http://127.0.0.1:${f.server.httpPort}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { 'x-magpie-kind'?: string }>>;
    };
    const kinds = Object.entries(openapi.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, kind: operation['x-magpie-kind'] })),
    );
    expect(kinds.length).toBeGreaterThan(30);
    expect(kinds.filter((k) => k.kind === undefined)).toEqual([]);
    const reaching = kinds
      .filter((k) => k.kind === 'reach-users')
      .map((k) => k.route.replace('/v1/accounts/{accountSid}', ''))
      .sort();
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/rest.md'), 'utf8');
    const table = doc.slice(doc.indexOf('| refused while the app is offline |'));
    const listed = table
      .slice(0, table.indexOf('\n\n'))
      .split('\n')
      .slice(2)
      .map((row) => /^\| `([^`]+)`/.exec(row)![1]!)
      .sort();
    expect(listed).toEqual(reaching);
    expect(reaching).toHaveLength(7);
  });
});

