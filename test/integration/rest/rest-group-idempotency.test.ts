import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, pb } from '../../../protocol';
import { isNotice, openChatWorld, type ChatWorld } from '../server/chat-fixture';
import { restClient, type RestCall } from './rest-fixture';

const DAY_MS = 24 * 3_600_000;

/**
 * An app server creates a group for a user, times out, and calls again (signed anew, as every
 * retry must be): the same idempotencyKey answers the group the first call made, as the wire's
 * CreateGroup.request_id does, for 24 hours.
 */
describe('REST group create with an idempotencyKey, over HTTP on the real server', () => {
  let world: ChatWorld;
  let clock: ManualClock;
  let call: RestCall;
  let groups: string;

  async function open(): Promise<void> {
    clock = new ManualClock(Date.now());
    // sessions outlive the day the clock is moved by
    world = await openChatWorld({ clock, tuning: { restMaxRefusals: 1_000_000, idleTimeoutMs: 30 * DAY_MS } });
    const signed = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
    // signed at the server's clock, so the signature stays in its window after the clock moves
    call = (method, path, body, options = {}) => signed(method, path, body, { atMs: clock.now(), ...options });
    groups = `/v1/accounts/{sid}/apps/${world.server.appId}/groups`;
  }
  afterEach(async () => {
    await world.close();
  });

  const countGroups = (): number =>
    Number(world.server.server.db.prepare<[string], number>('SELECT COUNT(*) FROM groups WHERE app_id = ?').pluck().get(world.server.appId));

  it('a retried create with the same key makes one group, one notice, and answers that group whatever the retry says', async () => {
    await open();
    const member = await world.login('member01');
    const body = { owner: 'owner01', name: 'Night shift', members: ['member01'], idempotencyKey: 'order-42:group' };
    const first = await call('POST', groups, body);
    expect(first.status, first.text).toBe(201);
    const retried = await call('POST', groups, body);
    expect([retried.status, retried.json]).toEqual([201, first.json]);

    // the group as it is now, not what the repeat asks for
    const renamed = await call('POST', groups, { ...body, name: 'Day shift', type: 'super', members: [] });
    expect([renamed.status, renamed.json]).toEqual([201, first.json]);
    expect(countGroups()).toBe(1);
    const notices = (await member.syncAll()).filter(isNotice(pb.NoticeKind.CREATE)).map((e) => (e.item.value as pb.Notice).groupId);
    expect(notices).toEqual([first.json.groupId]);

    // a dismissed group is still the key's answer, marked so
    expect((await call('DELETE', `${groups}/${first.json.groupId as string}`)).status).toBe(200);
    const afterDismiss = await call('POST', groups, body);
    expect(afterDismiss.json).toMatchObject({ groupId: first.json.groupId, dismissed: true });
    expect(countGroups()).toBe(1);
  });

  it('a key is the owner\'s, a create without one makes a group each time, and the key is forgotten after 24 hours', async () => {
    await open();
    const made = async (body: object): Promise<string> => {
      const reply = await call('POST', groups, body);
      expect(reply.status, reply.text).toBe(201);
      return reply.json.groupId as string;
    };
    const first = await made({ owner: 'owner01', name: 'A', idempotencyKey: 'k-1' });
    const otherOwner = await made({ owner: 'owner02', name: 'A', idempotencyKey: 'k-1' });
    const otherKey = await made({ owner: 'owner01', name: 'A', idempotencyKey: 'k-2' });
    const plain = [await made({ owner: 'owner01', name: 'A' }), await made({ owner: 'owner01', name: 'A' })];
    expect(new Set([first, otherOwner, otherKey, ...plain]).size).toBe(5);

    clock.advance(DAY_MS - 1);
    expect(await made({ owner: 'owner01', name: 'A', idempotencyKey: 'k-1' })).toBe(first);
    clock.advance(1);
    const later = await made({ owner: 'owner01', name: 'A', idempotencyKey: 'k-1' });
    expect(later).not.toBe(first);
    expect(await made({ owner: 'owner01', name: 'A', idempotencyKey: 'k-1' })).toBe(later);
  });

  it('two calls with one key at once make one group', async () => {
    await open();
    const body = { owner: 'owner01', name: 'Race', idempotencyKey: 'race-1' };
    const replies = await Promise.all([call('POST', groups, body), call('POST', groups, body), call('POST', groups, body)]);
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(replies.map((r) => r.json.groupId as string)).size).toBe(1);
    expect(countGroups()).toBe(1);
  });

  it('a repeated member add, kick or dismiss changes nothing and tells nobody again (docs/rest.md "Retries")', async () => {
    await open();
    const member = await world.login('member01');
    const made = await call('POST', groups, { owner: 'owner01', name: 'Repeats' });
    const group = `${groups}/${made.json.groupId as string}`;
    const added = await call('POST', `${group}/members`, { users: ['member01'] });
    expect(added.json).toMatchObject({ invited: ['member01'] });
    const addedAgain = await call('POST', `${group}/members`, { users: ['member01'] });
    expect([addedAgain.status, addedAgain.json.error.code]).toEqual([400, ErrorCode.ALREADY_IN_GROUP]);
    expect((await call('POST', `${group}/kick`, { users: ['member01'] })).status).toBe(200);
    const kickedAgain = await call('POST', `${group}/kick`, { users: ['member01'] });
    expect([kickedAgain.status, kickedAgain.json.error.code]).toEqual([400, ErrorCode.NOT_GROUP_MEMBER]);
    const kinds = (await member.syncAll()).filter((e) => e.item.case === 'notice').map((e) => (e.item.value as pb.Notice).kind);
    expect(kinds.filter((k) => k === pb.NoticeKind.INVITE)).toHaveLength(1);
    expect(kinds.filter((k) => k === pb.NoticeKind.KICK)).toHaveLength(1);
    expect((await call('DELETE', group)).status).toBe(200);
    const dismissedAgain = await call('DELETE', group);
    expect([dismissedAgain.status, dismissedAgain.json.error.code]).toEqual([400, ErrorCode.GROUP_DISMISSED]);
  });

  it('refuses a key that is empty, too long or holds other characters with 400 REST_BAD_REQUEST, making nothing', async () => {
    await open();
    for (const idempotencyKey of ['', 'k'.repeat(129), 'has space', 'ключ', 'a/b', 42]) {
      const refused = await call('POST', groups, { owner: 'owner01', name: 'A', idempotencyKey });
      expect([refused.status, refused.json.error.code], String(idempotencyKey)).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
      expect(refused.json.error.message).toContain('body/idempotencyKey');
      if (typeof idempotencyKey === 'string') expect(refused.json.error.message).toContain('1-128 characters: ASCII letters, digits, ., _, : and -');
    }
    expect(countGroups()).toBe(0);
    expect((await call('POST', groups, { owner: 'owner01', name: 'A', idempotencyKey: `${'k'.repeat(120)}.Z_9:-x` })).status).toBe(201);

    const doc = (await fetch(`http://127.0.0.1:${world.server.httpPort}/v1/openapi.json`)).json() as Promise<{ paths: Record<string, unknown> }>;
    expect(JSON.stringify((await doc).paths['/v1/accounts/{accountSid}/apps/{appId}/groups'])).toContain('idempotencyKey');
  });
});
