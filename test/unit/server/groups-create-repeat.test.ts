import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { GROUP_LIMITS } from '../../../server/groups/group-limits';
import { APP, createChatFixture, type ChatFixture } from './chat-fixture';
import { group, notices } from './groups-fixture';

let f: ChatFixture;
beforeEach(() => {
  f = createChatFixture();
});
afterEach(() => f.close());

const requestIdOf = (n: number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? n : 0x47));

async function create(user: string, requestId: Uint8Array, name = 'Porch'): Promise<pb.GroupInfo> {
  const result = await group(f, user, { case: 'create', value: { name, type: pb.GroupType.NORMAL, members: ['bob'], requestId } });
  if (result.case !== 'group') throw new Error(`expected a group, got ${String(result.case)}`);
  return result.value;
}

const rememberedIds = (): number => Number(f.db.prepare<[], number>('SELECT COUNT(*) FROM group_creates').pluck().get());

describe('a group create repeated with its request id', () => {
  it('answers the first create\'s group as it is now, whatever the repeat says, and tells nobody again', async () => {
    const first = await create('alice', requestIdOf(1));
    await group(f, 'alice', { case: 'modify', value: { groupId: first.groupId, name: 'Renamed' } });
    const again = await create('alice', requestIdOf(1), 'Another name');
    expect(again).toMatchObject({ groupId: first.groupId, name: 'Renamed', memberCount: 2, myRole: pb.GroupRole.OWNER });
    expect((await notices(f, 'bob')).map((n) => n.kind)).toEqual([pb.NoticeKind.CREATE, pb.NoticeKind.MODIFY]);
  });

  it('is answered even when the group it made took the caller\'s last group slot, and after a dismissal', async () => {
    const first = await create('alice', requestIdOf(2));
    const insert = f.db.prepare('INSERT INTO group_members (app_id, group_id, user_id, role, joined_ms) VALUES (?, ?, ?, 1, 0)');
    for (let i = 1; i < GROUP_LIMITS.maxGroupsPerUser; i++) insert.run(APP, `gfull${i}`, 'alice');
    await expect(create('alice', requestIdOf(3))).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_GROUPS });
    expect((await create('alice', requestIdOf(2))).groupId).toBe(first.groupId);
    await group(f, 'alice', { case: 'dismiss', value: { groupId: first.groupId } });
    expect(await create('alice', requestIdOf(2))).toMatchObject({ groupId: first.groupId, dismissed: true });
  });

  it('is one user\'s own: another user\'s create with the same id makes that user\'s group', async () => {
    const alices = await create('alice', requestIdOf(4));
    const carols = await create('carol', requestIdOf(4));
    expect(carols.groupId).not.toBe(alices.groupId);
    expect(carols.owner).toBe('carol');
  });

  it('makes a new group once the id is older than the memory, and sweeps the ids that old', async () => {
    const first = await create('alice', requestIdOf(5));
    f.clock.advance(GROUP_LIMITS.createRequestMemoryMs - 1);
    expect((await create('alice', requestIdOf(5))).groupId).toBe(first.groupId);
    f.clock.advance(1);
    const later = await create('alice', requestIdOf(5));
    expect(later.groupId).not.toBe(first.groupId);
    expect(rememberedIds()).toBe(1);
    expect((await create('alice', requestIdOf(5))).groupId).toBe(later.groupId);

    await create('alice', requestIdOf(6));
    expect(rememberedIds()).toBe(2);
    f.clock.advance(GROUP_LIMITS.createRequestMemoryMs + GROUP_LIMITS.createRequestSweepMs);
    // the next create sweeps what is past the memory: its own id stays
    await create('carol', requestIdOf(7));
    expect(rememberedIds()).toBe(1);
  });

  it('refuses a request id of a wrong length before anything is made', async () => {
    for (const length of [1, GROUP_LIMITS.minCreateRequestIdBytes - 1, GROUP_LIMITS.maxCreateRequestIdBytes + 1]) {
      await expect(create('alice', new Uint8Array(length))).rejects.toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT, message: expect.stringMatching(/request_id/) });
    }
    expect(await notices(f, 'bob')).toEqual([]);
    for (const length of [GROUP_LIMITS.minCreateRequestIdBytes, GROUP_LIMITS.maxCreateRequestIdBytes]) await create('alice', new Uint8Array(length).fill(length));
    expect(rememberedIds()).toBe(2);
  });
});
