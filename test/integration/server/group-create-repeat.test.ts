import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newClientMsgId, pb } from '../../../protocol';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { TestClient } from '../../support/test-client';
import { isNotice, openChatWorld, sessionOf, type ChatWorld, type Session } from './chat-fixture';

/** Long enough that a lost answer is still on its way back when the connection is cut. */
const PROXY_DELAY_MS = 1_500;

/**
 * A GROUP create whose answer never reached the client: the server made the group, then the
 * connection went. The client's retry (or the user's second press of Create) carries the same
 * request id, and the server answers with that group instead of making a second one.
 */
describe('a group create whose answer was lost', () => {
  let world: ChatWorld;
  let proxy: CutProxy;

  beforeEach(async () => {
    world = await openChatWorld();
    proxy = await startCutProxy({ port: world.server.port });
  });
  afterEach(async () => {
    await proxy.close();
    await world.close();
  });

  async function ownerThroughProxy(): Promise<Session> {
    const client = await TestClient.connect(proxy.port);
    await client.hello();
    const login = await client.loginWithAppToken(world.server.appId, world.server.appToken, 'owner01');
    return sessionOf('owner01', client, login);
  }

  const createBody = (requestId: Uint8Array) => ({
    case: 'create' as const,
    value: { name: 'Night shift', type: pb.GroupType.NORMAL, mode: pb.GroupMode.PRIVATE, members: ['member01', 'member02'], requestId },
  });

  it('is answered on the retry with the group the first create made: one group, one created notice per member', { timeout: 30_000 }, async () => {
    const members = [await world.login('member01'), await world.login('member02')];
    const first = await ownerThroughProxy();
    const requestId = newClientMsgId(Date.now());

    // the request reaches the server after the delay, and its answer would take as long again
    proxy.setDelay(PROXY_DELAY_MS);
    const lost = first.group(createBody(requestId));
    lost.catch(() => undefined);
    // the server committed: the members are told of the new group
    const told = (await members[0]!.nextPush(isNotice(pb.NoticeKind.CREATE), 10_000)).item.value as pb.Notice;
    // the answer is still in the proxy: the connection goes with it
    expect(proxy.cutAll()).toBe(1);
    await expect(lost).rejects.toThrow(/connection closed/);
    proxy.setDelay(0);

    const again = await ownerThroughProxy();
    const answer = await again.group(createBody(requestId));
    expect(answer.case).toBe('group');
    const group = answer.value as pb.GroupInfo;
    expect(group).toMatchObject({ groupId: told.groupId, name: 'Night shift', owner: 'owner01', memberCount: 3, myRole: pb.GroupRole.OWNER });

    const mine = await again.group({ case: 'listMine', value: {} });
    expect((mine.value as pb.GroupList).groups.map((g) => g.groupId)).toEqual([told.groupId]);
    const count = world.server.server.db.prepare<[string], number>('SELECT COUNT(*) FROM groups WHERE app_id = ?').pluck().get(world.server.appId);
    expect(Number(count)).toBe(1);
    // the retry committed before its answer: a second notice would be in the inboxes now
    for (const session of [again, ...members]) {
      const created = (await session.syncAll()).filter(isNotice(pb.NoticeKind.CREATE)).map((e) => (e.item.value as pb.Notice).groupId);
      expect(created).toEqual([told.groupId]);
    }
  });

  it('makes a new group for a new request id, and for each create without one (a client from before request ids)', async () => {
    const owner = await world.login('owner01');
    const made = async (requestId: Uint8Array): Promise<string> => ((await owner.group(createBody(requestId))).value as pb.GroupInfo).groupId;
    const id = newClientMsgId(Date.now());
    const first = await made(id);
    expect(await made(id)).toBe(first);
    const other = await made(newClientMsgId(Date.now()));
    const plain = [await made(new Uint8Array(0)), await made(new Uint8Array(0))];
    expect(new Set([first, other, ...plain]).size).toBe(4);
  });
});
