import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { APP, createChatFixture, makeGroup, type ChatFixture } from './chat-fixture';
import { group, memberIds, notices } from './groups-fixture';

let f: ChatFixture;
beforeEach(() => {
  f = createChatFixture();
});
afterEach(() => f.close());

describe('creating a group', () => {
  it('makes the caller owner, adds the members and tells everyone', async () => {
    const result = await group(f, 'alice', {
      case: 'create',
      value: { name: 'Hikers', type: pb.GroupType.NORMAL, mode: pb.GroupMode.APPROVAL, members: ['bob', 'carol'], announcement: 'hi' },
    });
    expect(result.case).toBe('group');
    const info = result.value as pb.GroupInfo;
    expect(info.groupId).toMatch(/^g[0-9a-f]{16}$/);
    expect(info).toMatchObject({ name: 'Hikers', owner: 'alice', memberCount: 3, capacity: 300, myRole: pb.GroupRole.OWNER, mode: pb.GroupMode.APPROVAL });
    for (const user of ['alice', 'bob', 'carol']) {
      expect(await notices(f, user)).toEqual([
        expect.objectContaining({ kind: pb.NoticeKind.CREATE, groupId: info.groupId, actor: 'alice', targets: ['bob', 'carol'], groupName: 'Hikers' }),
      ]);
    }
  });

  it.each([
    [pb.GroupType.TEMPORARY, 100],
    [pb.GroupType.NORMAL, 300],
    [pb.GroupType.SENIOR, 500],
    [pb.GroupType.ADVANCED, 1000],
    [pb.GroupType.SUPER, 2000],
  ])('gives type %i a capacity of %i', async (type, capacity) => {
    const result = await group(f, 'alice', { case: 'create', value: { name: 'x', type } });
    expect((result.value as pb.GroupInfo).capacity).toBe(capacity);
  });

  it('refuses a bad name, an unknown type, bad member ids and too many members', async () => {
    await expect(group(f, 'alice', { case: 'create', value: { name: ' ' } })).rejects.toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT });
    await expect(group(f, 'alice', { case: 'create', value: { name: 'x'.repeat(65) } })).rejects.toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT });
    await expect(group(f, 'alice', { case: 'create', value: { name: 'x', type: 9 as pb.GroupType } })).rejects.toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT });
    await expect(group(f, 'alice', { case: 'create', value: { name: 'x', members: ['bad id'] } })).rejects.toMatchObject({ code: ErrorCode.INVALID_USER_ID });
    const crowd = Array.from({ length: 100 }, (_, i) => `user${i}`);
    await expect(group(f, 'alice', { case: 'create', value: { name: 'x', members: crowd } })).rejects.toMatchObject({ code: ErrorCode.GROUP_FULL });
  });
});

describe('modify, dismiss, info', () => {
  it('lets the owner and admins modify and tells the members', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob', 'carol']);
    await expect(group(f, 'bob', { case: 'modify', value: { groupId, name: 'mine' } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_ADMIN });
    await group(f, 'alice', { case: 'setRole', value: { groupId, user: 'bob', role: pb.GroupRole.ADMIN } });
    const result = await group(f, 'bob', { case: 'modify', value: { groupId, name: 'Renamed', mode: pb.GroupMode.PUBLIC } });
    expect(result.value).toMatchObject({ name: 'Renamed', mode: pb.GroupMode.PUBLIC });
    expect((await notices(f, 'carol')).at(-1)).toMatchObject({ kind: pb.NoticeKind.MODIFY, actor: 'bob', groupName: 'Renamed' });
  });

  it('lets only the owner dismiss; members are told and the group stays dismissed', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob']);
    await expect(group(f, 'bob', { case: 'dismiss', value: { groupId } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
    await group(f, 'alice', { case: 'dismiss', value: { groupId } });
    expect((await notices(f, 'bob')).at(-1)).toMatchObject({ kind: pb.NoticeKind.DISMISS });
    expect(await group(f, 'bob', { case: 'info', value: { groupId } })).toMatchObject({ value: { dismissed: true, myRole: pb.GroupRole.NONE } });
    await expect(group(f, 'alice', { case: 'modify', value: { groupId, name: 'x' } })).rejects.toMatchObject({ code: ErrorCode.GROUP_DISMISSED });
    expect((await group(f, 'bob', { case: 'listMine', value: {} })).value).toMatchObject({ total: 0 });
  });

  it('shows a private group to its members only', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob'], { mode: pb.GroupMode.PRIVATE });
    expect(await group(f, 'bob', { case: 'info', value: { groupId } })).toMatchObject({ value: { myRole: pb.GroupRole.MEMBER } });
    await expect(group(f, 'zed', { case: 'info', value: { groupId } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    await expect(group(f, 'zed', { case: 'info', value: { groupId: 'gmissing' } })).rejects.toMatchObject({ code: ErrorCode.GROUP_NOT_FOUND });
  });
});

describe('search and listings', () => {
  it('finds public and approval groups by keyword, never private ones', async () => {
    await makeGroup(f, 'alice', [], { name: 'Go players', mode: pb.GroupMode.PUBLIC });
    await makeGroup(f, 'alice', [], { name: 'Go club', mode: pb.GroupMode.APPROVAL });
    await makeGroup(f, 'alice', [], { name: 'Go secret', mode: pb.GroupMode.PRIVATE });
    await makeGroup(f, 'alice', [], { name: 'Chess', mode: pb.GroupMode.PUBLIC });
    await makeGroup(f, 'alice', [], { name: '100%_off', mode: pb.GroupMode.PUBLIC });
    const found = await group(f, 'zed', { case: 'search', value: { keyword: 'Go' } });
    expect((found.value as pb.GroupList).groups.map((g) => g.name)).toEqual(['Go players', 'Go club']);
    const paged = await group(f, 'zed', { case: 'search', value: { keyword: 'Go', offset: 1, limit: 1 } });
    expect(paged.value).toMatchObject({ total: 2, groups: [expect.objectContaining({ name: 'Go club' })] });
    const literal = await group(f, 'zed', { case: 'search', value: { keyword: '%_' } });
    expect((literal.value as pb.GroupList).groups.map((g) => g.name)).toEqual(['100%_off']);
  });

  it('lists my groups with my role and do-not-disturb', async () => {
    const a = await makeGroup(f, 'alice', ['bob'], { name: 'A' });
    await makeGroup(f, 'carol', ['bob'], { name: 'B' });
    await makeGroup(f, 'carol', [], { name: 'C' });
    await group(f, 'bob', { case: 'setDnd', value: { groupId: a, on: true } });
    const mine = (await group(f, 'bob', { case: 'listMine', value: {} })).value as pb.GroupList;
    expect(mine.groups.map((g) => [g.name, g.myRole, g.dnd])).toEqual([
      ['A', pb.GroupRole.MEMBER, true],
      ['B', pb.GroupRole.MEMBER, false],
    ]);
  });

  it('pages members, owner first, with nicknames', async () => {
    f.users.ensureUser(APP, 'bob', 'Bobby');
    const groupId = await makeGroup(f, 'alice', ['bob', 'carol', 'dave']);
    await group(f, 'alice', { case: 'setRole', value: { groupId, user: 'dave', role: pb.GroupRole.ADMIN } });
    await group(f, 'bob', { case: 'setCard', value: { groupId, card: 'the hiker' } });
    const page = (await group(f, 'carol', { case: 'members', value: { groupId, offset: 0, limit: 2 } })).value as pb.MemberPage;
    expect(page.total).toBe(4);
    expect(page.members.map((m) => m.userId)).toEqual(['alice', 'dave']);
    const rest = (await group(f, 'carol', { case: 'members', value: { groupId, offset: 2, limit: 2 } })).value as pb.MemberPage;
    expect(rest.members.map((m) => [m.userId, m.nickname, m.card])).toEqual([
      ['bob', 'Bobby', 'the hiker'],
      ['carol', '', ''],
    ]);
    await expect(memberIds(f, 'zed', groupId)).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
  });
});
