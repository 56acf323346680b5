import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../protocol';
import type { MagpieClient } from '../../../main/client/magpie-client';
import { createGroupService, type GroupService } from '../../../main/groups/group-service';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * The requests inbox of an approval group's owner and admins: a request answered by one of them,
 * or made moot by the group's end or its user joining, leaves every manager's inbox, after a
 * restart too; an answer refused because the request no longer waits clears the stale entry.
 */
describe('group requests shared by the owner and admins', () => {
  const fixture = createClientFixture();
  let server: TestServer;
  interface User { client: MagpieClient; groups: GroupService; profileDir: string }

  beforeAll(async () => {
    server = await startTestServer({ tuning: { requestsPerSecond: 100_000, requestBurst: 100_000 } });
  });
  afterAll(async () => {
    await fixture.cleanup();
    await server.stop();
  });

  async function user(name: string, profileDir?: string): Promise<User> {
    const dir = profileDir ?? (await fixture.profile());
    const client = await fixture.client(server, name, { profileDir: dir });
    await client.start();
    return { client, groups: createGroupService(client), profileDir: dir };
  }

  const waitingIds = (g: GroupService, groupId: string): number[] =>
    g.requests().filter((r) => r.groupId === groupId).map((r) => r.requestId ?? 0);

  async function approvalGroup(suffix: string) {
    const alice = await user(`alice${suffix}`);
    const bob = await user(`bob${suffix}`);
    const carol = await user(`carol${suffix}`);
    const dave = await user(`dave${suffix}`);
    const group = await alice.groups.create({ name: `Team ${suffix}`, mode: 'approval', members: [bob.client.selfId, carol.client.selfId] });
    await alice.groups.setRole(group.groupId, bob.client.selfId, 'admin');
    await eventually(() => bob.client.store.groups.getGroup(group.groupId)?.myRole === pb.GroupRole.ADMIN, 5_000, () => 'bob an admin');
    const { requestId } = await dave.groups.apply(group.groupId, 'I am Dave');
    await eventually(() => waitingIds(bob.groups, group.groupId).includes(requestId), 5_000, () => 'the application at bob');
    await eventually(() => waitingIds(alice.groups, group.groupId).includes(requestId), 5_000, () => 'the application at alice');
    return { alice, bob, carol, dave, groupId: group.groupId, requestId };
  }

  it('an application approved by the owner leaves the other admin\'s inbox, after a restart too', async () => {
    const { alice, bob, groupId, requestId } = await approvalGroup('1');
    await alice.groups.approve(groupId, requestId);
    expect(waitingIds(alice.groups, groupId)).toEqual([]);
    await eventually(() => waitingIds(bob.groups, groupId).length === 0, 5_000, () => `bob still has ${waitingIds(bob.groups, groupId).join()}`);

    // a restart (or a reloaded page) reads the list from the store: still empty
    bob.client.close();
    await bob.client.store.closed;
    const again = await user(bob.client.selfId, bob.profileDir);
    expect(waitingIds(again.groups, groupId)).toEqual([]);
  });

  it('an application rejected by an admin leaves the owner\'s inbox', async () => {
    const { alice, bob, groupId, requestId } = await approvalGroup('2');
    await bob.groups.reject(groupId, requestId, 'not now');
    await eventually(() => waitingIds(alice.groups, groupId).length === 0, 5_000, () => 'the request gone at alice');
  });

  it('a dismissed group\'s applications leave every inbox; answering one clears it', async () => {
    const { alice, bob, groupId, requestId } = await approvalGroup('3');
    await alice.groups.dismiss(groupId);
    expect(waitingIds(alice.groups, groupId)).toEqual([]);
    await eventually(() => waitingIds(bob.groups, groupId).length === 0, 5_000, () => 'the request gone at bob');
    await expect(bob.groups.reject(groupId, requestId)).rejects.toMatchObject({ code: ErrorCode.GROUP_DISMISSED });
  });

  it('an application whose user joined another way (invited) leaves the inbox', async () => {
    const { alice, bob, dave, groupId } = await approvalGroup('4');
    await alice.groups.invite(groupId, [dave.client.selfId]);
    await eventually(() => waitingIds(bob.groups, groupId).length === 0, 5_000, () => 'the request gone at bob');
    expect(waitingIds(alice.groups, groupId)).toEqual([]);
  });

  it('an approve refused as stale (560008) clears the entry instead of leaving it', async () => {
    const { bob, groupId } = await approvalGroup('5');
    // an entry this device kept from before it knew better: a request the server no longer has
    bob.client.store.notices.insert({
      seq: 9_000_000,
      kind: pb.NoticeKind.APPLY,
      groupId,
      actor: 'erin5',
      targets: ['erin5'],
      text: '',
      timeMs: Date.now(),
      role: pb.GroupRole.NONE,
      muteUntilMs: 0,
      groupName: 'Team 5',
      requestId: 987_654,
    });
    expect(waitingIds(bob.groups, groupId)).toContain(987_654);
    const refused = await bob.groups.approve(groupId, 987_654).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(MagpieError);
    expect((refused as MagpieError).code).toBe(ErrorCode.REQUEST_NOT_FOUND);
    expect(waitingIds(bob.groups, groupId)).not.toContain(987_654);
  });
});
