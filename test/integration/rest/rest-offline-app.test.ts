import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startRestApp, type RestApp } from './rest-app-fixture';

/**
 * An app taken offline has its messaging off: its users' logins are refused APP_OFFLINE, and so
 * are the app server's sends and broadcasts, which went through and reached no one who could log in.
 */
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
        `app ${f.server.appId} is offline: nothing can be sent in it (take it online first: POST .../apps/${f.server.appId}/online)`,
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
});
