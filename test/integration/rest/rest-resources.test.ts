import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { openChatWorld, type ChatWorld } from '../server/chat-fixture';
import { restClient, type RestCall } from './rest-fixture';

describe('REST resources, on the real server with real clients', () => {
  let world: ChatWorld;
  let call: RestCall;
  let app: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    world = await openChatWorld({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
    app = `/v1/accounts/{sid}/apps/${world.server.appId}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await world.close();
  });

  async function connectAs(appId: string, appToken: string, userId: string): Promise<TestClient> {
    const client = await TestClient.connect(world.server.port);
    clients.push(client);
    await client.hello();
    await client.loginWithAppToken(appId, appToken, userId);
    return client;
  }

  it('creates, lists, edits, rotates and deletes apps; offline ends live sessions and refuses logins', async () => {
    const created = await call('POST', '/v1/accounts/{sid}/apps', { name: 'second' });
    expect(created.status).toBe(201);
    const { appId, appToken } = created.json as { appId: string; appToken: string };
    expect((await call('GET', '/v1/accounts/{sid}/apps')).json.apps.map((a: { appId: string }) => a.appId)).toContain(appId);
    expect((await call('PATCH', `/v1/accounts/{sid}/apps/${appId}`, { name: 'renamed' })).json.name).toBe('renamed');

    const live = await connectAs(appId, appToken, 'dora');
    const offline = await call('POST', `/v1/accounts/{sid}/apps/${appId}/offline`);
    expect(offline.json.state).toBe('offline');
    const kicked = await live.waitForPush('KICKED');
    expect(kicked.code).toBe(ErrorCode.APP_OFFLINE);
    await live.waitClosed();
    await expect(connectAs(appId, appToken, 'dora')).rejects.toMatchObject({ code: ErrorCode.APP_OFFLINE });

    expect((await call('POST', `/v1/accounts/{sid}/apps/${appId}/online`)).json.state).toBe('online');
    const rotated = await call('POST', `/v1/accounts/{sid}/apps/${appId}/token`);
    expect(rotated.json.appToken).not.toBe(appToken);
    await expect(connectAs(appId, appToken, 'dora')).rejects.toMatchObject({ code: ErrorCode.TOKEN_AUTH_FAILED });
    await connectAs(appId, rotated.json.appToken as string, 'dora');

    expect((await call('DELETE', `/v1/accounts/{sid}/apps/${appId}`)).status).toBe(200);
    expect((await call('GET', `/v1/accounts/{sid}/apps/${appId}`)).status).toBe(404);
  });

  it('creates sub-accounts, pages them exactly once, finds one by name, closes and reopens it', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const reply = await call('POST', `${app}/subaccounts`, { friendlyName: `page-${i}` });
      expect(reply.status).toBe(201);
      made.push(reply.json.subAccountSid as string);
    }
    const seen: string[] = [];
    for (let offset = 0; ; offset += 3) {
      const page = await call('GET', `${app}/subaccounts?offset=${offset}&limit=3`);
      seen.push(...(page.json.subAccounts as { subAccountSid: string }[]).map((s) => s.subAccountSid));
      if (offset + 3 >= (page.json.total as number)) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(made));
    const byName = await call('GET', `${app}/subaccounts?friendlyName=page-3`);
    expect(byName.json.subAccounts[0].subAccountSid).toBe(made[3]);
    const bySid = await call('GET', `${app}/subaccounts/${made[3]}`);
    expect(bySid.json).toMatchObject({ subAccountSid: made[3], friendlyName: 'page-3', closed: false });
    expect((await call('POST', `${app}/subaccounts`, { friendlyName: 'page-3' })).json.error.code).toBe(ErrorCode.NAME_TAKEN);
  });

  it('refuses an app name or friendly name with a line break or an escape; takes Chinese and emoji', async () => {
    for (const [path, body] of [
      [`${app}/subaccounts`, { friendlyName: 'two\nlines' }],
      [`${app}/subaccounts`, { friendlyName: 'bell\u0007' }],
      ['/v1/accounts/{sid}/apps', { name: 'nul\u0000' }],
      [app, { name: 'esc\u001b[2J' }],
      // a direction override shows "invoice\u202Egnp.exe" as "invoiceexe.png"
      [`${app}/subaccounts`, { friendlyName: 'invoice\u202Egnp.exe' }],
      ['/v1/accounts/{sid}/apps', { name: 'isolate\u2066x\u2069' }],
    ] as const) {
      const refused = await call(path === app ? 'PATCH' : 'POST', path, body);
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatchObject({ code: ErrorCode.INVALID_USER_ID, message: expect.stringContaining('control characters') });
    }
    const fine = await call('POST', `${app}/subaccounts`, { friendlyName: '小明 🐦' });
    expect(fine.status).toBe(201);
    // a name of 64 emoji is made and found (rest-classic.test.ts: by the classic lookup too)
    const birds = '🦜'.repeat(64);
    expect((await call('POST', `${app}/subaccounts`, { friendlyName: birds })).status).toBe(201);
    const byName = await call('GET', `${app}/subaccounts?friendlyName=${encodeURIComponent(birds)}`);
    expect(byName.status, byName.text).toBe(200);
    expect(JSON.stringify(byName.json)).toContain(birds);
    // right-to-left names need no override: Hebrew with a right-to-left mark is taken
    expect((await call('POST', `${app}/subaccounts`, { friendlyName: 'שלום\u200F 1' })).status).toBe(201);
    // every bad name answers the same code, and a message that says which rule it breaks
    for (const [name, says] of [
      ['', 'is empty: it needs 1-64 characters'],
      ['   ', 'is all spaces: it needs at least one character that is not a space'],
      ['\u3000\u00a0', 'is all spaces'],
      ['x'.repeat(65), 'has 65 characters: at most 64 (an emoji or a Chinese character counts one)'],
      ['🐦'.repeat(70), 'has 70 characters: at most 64'],
    ] as const) {
      for (const [method, path, body, what] of [
        ['POST', `${app}/subaccounts`, { friendlyName: name }, 'a friendly name'],
        ['POST', '/v1/accounts/{sid}/apps', { name }, 'an app name'],
        ['PATCH', app, { name }, 'an app name'],
      ] as const) {
        const refused = await call(method, path, body);
        expect([refused.status, refused.json.error.code, refused.json.error.message]).toEqual([400, ErrorCode.INVALID_USER_ID, expect.stringContaining(`${what} ${says}`)]);
      }
    }
    // 64 characters as people count them, an emoji one
    expect((await call('POST', `${app}/subaccounts`, { friendlyName: '🐦'.repeat(64) })).status).toBe(201);
    expect((await call('POST', '/v1/accounts/{sid}/apps', { name: '🐦'.repeat(64) })).status).toBe(201);
  });

  it('a closed sub-account loses its live session and cannot log in by password or app token; reopened it can', async () => {
    const created = (await call('POST', `${app}/subaccounts`, { friendlyName: 'closing' })).json as { subAccountSid: string; voipAccount: string; voipPwd: string };
    const live = await TestClient.connect(world.server.port);
    clients.push(live);
    await live.hello();
    await live.loginWithPassword(created.voipAccount, created.voipPwd);

    const closed = await call('POST', `${app}/subaccounts/${created.subAccountSid}/close`);
    expect(closed.json.closed).toBe(true);
    expect((await live.waitForPush('KICKED')).code).toBe(ErrorCode.SUB_ACCOUNT_CLOSED);
    await live.waitClosed();
    const again = await TestClient.connect(world.server.port);
    clients.push(again);
    await again.hello();
    await expect(again.loginWithPassword(created.voipAccount, created.voipPwd)).rejects.toMatchObject({ code: ErrorCode.SUB_ACCOUNT_CLOSED });
    await expect(again.loginWithAppToken(world.server.appId, world.server.appToken, created.voipAccount)).rejects.toMatchObject({
      code: ErrorCode.SUB_ACCOUNT_CLOSED,
    });

    expect((await call('POST', `${app}/subaccounts/${created.subAccountSid}/reopen`)).json.closed).toBe(false);
    await again.loginWithPassword(created.voipAccount, created.voipPwd);
  });

  it('sends as a user and as the app: stored once, pushed to the online recipient; media needs the sender\'s own upload', async () => {
    const bob = await world.login('bob');
    const sent = await call('POST', `${app}/messages`, { from: 'alice', to: 'bob', message: { type: 'text', text: 'from the app server' }, idempotencyKey: 'k1' });
    expect(sent.status).toBe(200);
    const pushed = await bob.nextPush((e) => e.item.case === 'message' && e.item.value.text === 'from the app server');
    expect(pushed.item.value).toMatchObject({ from: 'alice' });
    const retried = await call('POST', `${app}/messages`, { from: 'alice', to: 'bob', message: { type: 'text', text: 'from the app server' }, idempotencyKey: 'k1' });
    expect(retried.json.msgId).toBe(sent.json.msgId);

    const system = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'custom', custom: { command: 'refresh', payload: '{"a":1}' } } });
    expect(system.status).toBe(200);
    const custom = await bob.nextPush((e) => e.item.case === 'message' && e.item.value.type === pb.MessageType.CUSTOM);
    expect(custom.item.value).toMatchObject({ from: 'system' });
    // history answers the payload as it was sent (text), its bytes in base64 beside it
    const read = await call('GET', `${app}/history?user=system&peer=bob`);
    const stored = (read.json.messages as { msgId: string; custom?: unknown }[]).find((m) => m.msgId === system.json.msgId);
    expect(stored?.custom).toEqual({ command: 'refresh', payload: '{"a":1}', payloadBase64: Buffer.from('{"a":1}').toString('base64'), silent: false });
    // bytes that are not text go as payloadBase64, and come back the same (payload null)
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x41]).toString('base64');
    const binary = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'custom', custom: { command: 'blob', payloadBase64: bytes } } });
    expect(binary.status, binary.text).toBe(200);
    const blob = await bob.nextPush((e) => e.item.case === 'message' && e.item.value.custom?.command === 'blob');
    expect(blob.item.case === 'message' && Buffer.from(blob.item.value.custom!.payload).toString('base64')).toBe(bytes);
    const again = (await call('GET', `${app}/history?user=system&peer=bob`)).json.messages as { msgId: string; custom?: unknown }[];
    expect(again.find((m) => m.msgId === binary.json.msgId)?.custom).toEqual({ command: 'blob', payload: null, payloadBase64: bytes, silent: false });
    for (const custom of [{ command: 'x', payload: 'a', payloadBase64: 'YQ==' }, { command: 'x', payloadBase64: 'not base64!' }]) {
      const refused = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'custom', custom } });
      expect([refused.status, refused.json.error.code]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    }

    const media = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'image', media: { fileId: 'f1' } } });
    expect([media.status, media.json.error.code]).toEqual([404, ErrorCode.UPLOAD_NOT_FOUND]);
    const rule = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'text', text: '' } });
    expect([rule.status, rule.json.error.code]).toEqual([400, ErrorCode.INVALID_MESSAGE]);
    // a recipient that is neither a user nor a group id is told what one looks like
    for (const to of ['😀', 'a\nb', 'x'.repeat(65), 'g', '']) {
      const bad = await call('POST', `${app}/messages`, { to, message: { type: 'text', text: 'x' } });
      expect([bad.status, bad.json.error.code, bad.json.error.message]).toEqual([400, ErrorCode.REST_BAD_REQUEST, expect.stringMatching(/body\/to .*a (user id or a )?group id/)]);
    }
    // a text over the limit is told the server's limit, however long it is
    for (const length of [5_001, 30_000]) {
      const long = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'text', text: '鹊'.repeat(length) } });
      expect([long.status, long.json.error.code, long.json.error.message]).toEqual([400, ErrorCode.TEXT_TOO_LONG, expect.stringContaining('5000 characters')]);
    }
  });

  it('pages a conversation by cursor: every message exactly once, in order, within the time range', async () => {
    const sentIds: string[] = [];
    for (let i = 0; i < 60; i++) {
      const from = i % 2 === 0 ? 'hist-a' : 'hist-b';
      const to = i % 2 === 0 ? 'hist-b' : 'hist-a';
      sentIds.push((await call('POST', `${app}/messages`, { from, to, message: { type: 'text', text: `h${i}` } })).json.msgId as string);
      // noise in another conversation of the same user
      if (i % 10 === 0) await call('POST', `${app}/messages`, { from: 'hist-a', to: 'hist-c', message: { type: 'text', text: 'noise' } });
    }
    const got: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call('GET', `${app}/history?user=hist-a&peer=hist-b&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      got.push(...(page.json.messages as { msgId: string }[]).map((m) => m.msgId));
      cursor = page.json.nextCursor as string | undefined;
      pages++;
    } while (cursor);
    expect(got).toEqual(sentIds);
    expect(pages).toBe(9);
    const user = await call('GET', `${app}/history?user=hist-c`);
    expect(user.json.messages).toHaveLength(6);
    const none = await call('GET', `${app}/history?user=hist-a&peer=hist-b&toMs=1`);
    expect(none.json.messages).toEqual([]);
    const bad = await call('GET', `${app}/history?user=hist-a&cursor=nonsense`);
    expect([bad.status, bad.json.error.code]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
  });

  it('pages a group by cursor, every message once, and within a time range', async () => {
    const created = await call('POST', `${app}/groups`, { owner: 'hg-owner', name: 'history', members: ['hg-a'] });
    expect(created.status, created.text).toBe(201);
    const groupId = created.json.groupId as string;
    const sent: { msgId: string; timeMs: number }[] = [];
    for (let i = 0; i < 11; i++) {
      const from = i % 2 === 0 ? 'hg-owner' : 'hg-a';
      sent.push((await call('POST', `${app}/messages`, { from, to: groupId, message: { type: 'text', text: `g${i}` } })).json);
    }
    const got: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `${app}/history?group=${groupId}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status, page.text).toBe(200);
      got.push(...(page.json.messages as { msgId: string; isGroup: boolean }[]).filter((m) => m.isGroup).map((m) => m.msgId));
      cursor = page.json.nextCursor as string | undefined;
    } while (cursor);
    expect(got).toEqual(sent.map((m) => m.msgId));
    // a time range: from the sixth message's time on
    const from = sent[5]!.timeMs;
    const ranged = await call('GET', `${app}/history?group=${groupId}&fromMs=${from}`);
    const inRange = sent.filter((m) => m.timeMs >= from).map((m) => m.msgId);
    expect((ranged.json.messages as { msgId: string }[]).map((m) => m.msgId)).toEqual(inRange);
    // an unknown group is not an empty one, as on every other group path
    const unknown = await call('GET', `${app}/history?group=g0123456789abcdef`);
    expect([unknown.status, unknown.json.error?.code]).toEqual([404, ErrorCode.GROUP_NOT_FOUND]);
  });

  it('sets, shows and rotates the push settings; refuses a URL that is not http(s)', async () => {
    expect((await call('GET', `${app}/push`)).json).toEqual({ url: null, secret: null, hideContent: false });
    const set = await call('PUT', `${app}/push`, { url: 'https://push.example.test/hook', hideContent: true });
    expect(set.json).toMatchObject({ url: 'https://push.example.test/hook', hideContent: true, secret: expect.stringMatching(/^[0-9a-f]{32,}$/) });
    expect((await call('GET', `${app}/push`)).json).toEqual(set.json);
    const rotated = await call('PUT', `${app}/push`, { rotateSecret: true });
    expect(rotated.json.secret).not.toBe(set.json.secret);
    expect(rotated.json.url).toBe('https://push.example.test/hook');
    const bad = await call('PUT', `${app}/push`, { url: 'ftp://push.example.test/' });
    expect([bad.status, bad.json.error.code]).toEqual([400, ErrorCode.PUSH_URL_INVALID]);
    // a URL the parser would quietly change (a line break, a tab, spaces) is refused, the stored one kept
    for (const url of ['https://push.example.test/hook\n', 'https://push.exa\tmple.test/', ' https://push.example.test/', 'https://push.example.test/\u0000']) {
      const changed = await call('PUT', `${app}/push`, { url });
      expect([changed.status, changed.json.error.code]).toEqual([400, ErrorCode.PUSH_URL_INVALID]);
    }
    expect((await call('GET', `${app}/push`)).json.url).toBe('https://push.example.test/hook');
    // a URL stored before that check (the parser trims its spaces) is left alone: the other
    // settings still change around it
    world.server.server.db.prepare('UPDATE apps SET push_url = ? WHERE app_id = ?').run(' https://push.example.test/hook ', world.server.appId);
    const kept = await call('PUT', `${app}/push`, { rotateSecret: true, hideContent: true });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.json).toMatchObject({ url: ' https://push.example.test/hook ', hideContent: true });
    expect((await call('PUT', `${app}/push`, { url: null, hideContent: false })).json).toMatchObject({ url: null, hideContent: false });
  });

  it('manages groups: create with members, info, members, add, kick, dismiss; and tells who is online', async () => {
    const erin = await world.login('erin');
    const created = await call('POST', `${app}/groups`, { owner: 'owner1', name: 'team', members: ['erin', 'frank'] });
    expect(created.status, created.text).toBe(201);
    const groupId = created.json.groupId as string;
    expect(created.json.memberCount).toBe(3);
    expect((await call('GET', `${app}/groups/${groupId}`)).json.name).toBe('team');
    const added = await call('POST', `${app}/groups/${groupId}/members`, { users: ['hana', 'erin'] });
    expect(added.status, added.text).toBe(200);
    // erin was in already: named apart, and the notice tells of hana alone
    expect(added.json).toEqual({ ok: true, invited: ['hana'], alreadyMembers: ['erin'] });
    expect((await call('POST', `${app}/groups/${groupId}/kick`, { users: ['frank'] })).status).toBe(200);
    const members = await call('GET', `${app}/groups/${groupId}/members`);
    expect((members.json.members as { userId: string }[]).map((m) => m.userId).sort()).toEqual(['erin', 'hana', 'owner1']);
    await erin.nextPush((e) => e.item.case === 'notice');
    const joined = await erin.nextPush((e) => e.item.case === 'notice' && e.item.value.kind === pb.NoticeKind.INVITE);
    expect((joined.item.value as pb.Notice).targets).toEqual(['hana']);
    const presence = await call('POST', `${app}/presence`, { users: ['erin', 'frank'] });
    expect(presence.json.users).toEqual([
      { userId: 'erin', online: true, devices: expect.any(Array) },
      { userId: 'frank', online: false, devices: [] },
    ]);
    expect((await call('DELETE', `${app}/groups/${groupId}`)).status).toBe(200);
    expect((await call('GET', `${app}/groups/${groupId}`)).json.dismissed).toBe(true);
    expect((await call('GET', `${app}/groups/gnothing`)).json.error.code).toBe(ErrorCode.GROUP_NOT_FOUND);
  });

  it("tells a group's mute all in its info, as the owner turns it on and off", async () => {
    const owner = await world.login('mute-owner');
    const created = await call('POST', `${app}/groups`, { owner: 'mute-owner', name: 'quiet', members: ['mute-member'] });
    expect(created.status, created.text).toBe(201);
    const groupId = created.json.groupId as string;
    expect(created.json.muteAll).toBe(false);
    expect((await call('GET', `${app}/groups/${groupId}`)).json.muteAll).toBe(false);
    await owner.group({ case: 'modify', value: { groupId, muteAll: true } });
    const on = await call('GET', `${app}/groups/${groupId}`);
    expect(on.status, on.text).toBe(200);
    expect(on.json).toMatchObject({ groupId, name: 'quiet', muteAll: true });
    await owner.group({ case: 'modify', value: { groupId, muteAll: false } });
    expect((await call('GET', `${app}/groups/${groupId}`)).json.muteAll).toBe(false);
  });

  it('counts a group name and announcement in characters as people count them (an emoji is one)', async () => {
    const emoji = '\u{1F600}';
    const made = await call('POST', `${app}/groups`, { owner: 'cp-owner', name: emoji.repeat(64), announcement: emoji.repeat(1_024) });
    expect(made.status, made.text).toBe(201);
    expect(made.json).toMatchObject({ name: emoji.repeat(64), announcement: emoji.repeat(1_024) });
    const tooLong = await call('POST', `${app}/groups`, { owner: 'cp-owner', name: emoji.repeat(65) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT, message: expect.stringContaining('name has 65 characters: at most 64') });
    const longAnnouncement = await call('POST', `${app}/groups`, { owner: 'cp-owner', name: 'n', announcement: emoji.repeat(1_025) });
    expect(longAnnouncement.json.error).toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT, message: expect.stringContaining('announcement has 1025 characters') });
    const empty = await call('POST', `${app}/groups`, { owner: 'cp-owner', name: ' ' });
    expect(empty.json.error.code).toBe(ErrorCode.INVALID_GROUP_ARGUMENT);
  });

  it('makes a group of 500 members without a type, as the desktop app and the CLI do', async () => {
    const made = await call('POST', `${app}/groups`, { owner: 'size-owner', name: 'default size' });
    expect(made.status, made.text).toBe(201);
    expect(made.json).toMatchObject({ type: 'senior', capacity: 500 });
    expect((await call('POST', `${app}/groups`, { owner: 'size-owner', name: 'small', type: 'normal' })).json).toMatchObject({ type: 'normal', capacity: 300 });
  });

  it('serves an OpenAPI document generated from the same schemas, unsigned', async () => {
    const reply = await fetch(`http://127.0.0.1:${world.server.httpPort}/v1/openapi.json`);
    const doc = (await reply.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/accounts/{accountSid}/apps',
        '/v1/accounts/{accountSid}/apps/{appId}/messages',
        '/v1/accounts/{accountSid}/apps/{appId}/broadcasts',
        '/v1/accounts/{accountSid}/apps/{appId}/files',
        '/2013-12-26/Accounts/{accountSid}/SubAccounts',
      ]),
    );
    expect(JSON.stringify(doc.paths['/v1/accounts/{accountSid}/apps/{appId}/messages'])).toContain('idempotencyKey');
  });
});
