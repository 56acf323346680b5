import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../protocol';
import { GROUP_LIMITS } from '../../../server/groups/group-limits';
import { openChatWorld, type ChatWorld, type Session } from './chat-fixture';

const refusal = (attempt: Promise<unknown>) =>
  attempt.then(
    () => 'accepted',
    (error: unknown) => (error instanceof MagpieError ? error.code : error),
  );

/**
 * One user is in at most GROUP_LIMITS.maxGroupsPerUser groups: another user cannot put them in
 * more (create, invite, approve), nor can they make, join or accept their way past it; once they
 * quit one, there is room again.
 */
describe('groups one user may be in', () => {
  let world: ChatWorld;
  let spammer: Session;
  let victim: Session;
  let spare: string;
  const max = GROUP_LIMITS.maxGroupsPerUser;

  beforeAll(async () => {
    world = await openChatWorld({ tuning: { requestsPerSecond: 100_000, requestBurst: 100_000 } });
    spammer = await world.login('spammer01');
    victim = await world.login('victim01');
    const created = await spammer.group({ case: 'create', value: { name: 'spare', mode: pb.GroupMode.PUBLIC, type: pb.GroupType.SENIOR } });
    spare = (created.value as pb.GroupInfo).groupId;
    for (let i = 0; i < max; i++) {
      // half made by the victim itself, so the spammer stays below the limit
      const maker = i % 2 === 0 ? spammer : victim;
      await maker.group({ case: 'create', value: { name: `filler ${i}`, type: pb.GroupType.SENIOR, members: maker === spammer ? ['victim01'] : [] } });
    }
  }, 120_000);
  afterAll(async () => {
    await world.close();
  });

  it('another user cannot put a user past it', async () => {
    expect(await refusal(spammer.group({ case: 'create', value: { name: 'one more', type: pb.GroupType.SENIOR, members: ['victim01'] } }))).toBe(ErrorCode.TOO_MANY_GROUPS);
    expect(await refusal(spammer.group({ case: 'invite', value: { groupId: spare, users: ['victim01'] } }))).toBe(ErrorCode.TOO_MANY_GROUPS);
    const mine = await victim.group({ case: 'listMine', value: {} });
    expect((mine.value as pb.GroupList).total).toBe(max);
  });

  it('nor can the user make or join one past it, until they quit one', async () => {
    await expect(victim.group({ case: 'create', value: { name: 'mine', type: pb.GroupType.SENIOR } })).rejects.toMatchObject({
      code: ErrorCode.TOO_MANY_GROUPS,
      message: expect.stringContaining(`you are in ${max} groups`),
    });
    expect(await refusal(victim.group({ case: 'join', value: { groupId: spare } }))).toBe(ErrorCode.TOO_MANY_GROUPS);
    const mine = (await victim.group({ case: 'listMine', value: {} })).value as pb.GroupList;
    const notOwned = mine.groups.find((g) => g.myRole === pb.GroupRole.MEMBER)!;
    await victim.group({ case: 'quit', value: { groupId: notOwned.groupId } });
    await victim.group({ case: 'join', value: { groupId: spare } });
    expect(((await victim.group({ case: 'listMine', value: {} })).value as pb.GroupList).total).toBe(max);
  });
});
