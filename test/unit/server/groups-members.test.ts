import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { createChatFixture, makeGroup, type ChatFixture } from './chat-fixture';
import { group, memberIds, notices } from './groups-fixture';

let f: ChatFixture;
let groupId: string;
beforeEach(async () => {
  f = createChatFixture();
  groupId = await makeGroup(f, 'owner', ['admin', 'member', 'other']);
  await group(f, 'owner', { case: 'setRole', value: { groupId, user: 'admin', role: pb.GroupRole.ADMIN } });
});
afterEach(() => f.close());

describe('kick and quit', () => {
  it('lets admins kick members, and tells everyone including the kicked', async () => {
    await group(f, 'admin', { case: 'kick', value: { groupId, users: ['other'], reason: 'spam' } });
    expect(await memberIds(f, 'owner', groupId)).toEqual(['owner', 'admin', 'member']);
    expect((await notices(f, 'other')).at(-1)).toMatchObject({ kind: pb.NoticeKind.KICK, actor: 'admin', targets: ['other'], text: 'spam' });
    expect((await notices(f, 'member')).at(-1)).toMatchObject({ kind: pb.NoticeKind.KICK });
  });

  it('keeps admins from kicking admins or the owner, and members from kicking at all', async () => {
    await expect(group(f, 'admin', { case: 'kick', value: { groupId, users: ['owner'] } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
    await expect(group(f, 'member', { case: 'kick', value: { groupId, users: ['other'] } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_ADMIN });
    await expect(group(f, 'owner', { case: 'kick', value: { groupId, users: ['stranger'] } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    await group(f, 'owner', { case: 'kick', value: { groupId, users: ['admin'] } });
  });

  it('lets members quit but makes the owner transfer first', async () => {
    await group(f, 'member', { case: 'quit', value: { groupId } });
    expect((await notices(f, 'owner')).at(-1)).toMatchObject({ kind: pb.NoticeKind.QUIT, actor: 'member' });
    await expect(group(f, 'owner', { case: 'quit', value: { groupId } })).rejects.toMatchObject({ code: ErrorCode.OWNER_CANNOT_QUIT });
    await expect(group(f, 'member', { case: 'quit', value: { groupId } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
  });
});

describe('roles', () => {
  it('transfers ownership to a member; the old owner becomes a member and may quit', async () => {
    await expect(group(f, 'admin', { case: 'transfer', value: { groupId, user: 'admin' } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
    const result = await group(f, 'owner', { case: 'transfer', value: { groupId, user: 'member' } });
    expect(result.value).toMatchObject({ owner: 'member', myRole: pb.GroupRole.MEMBER });
    expect((await notices(f, 'other')).at(-1)).toMatchObject({ kind: pb.NoticeKind.TRANSFER, targets: ['member'] });
    await group(f, 'owner', { case: 'quit', value: { groupId } });
  });

  it('lets only the owner set roles, to admin or member', async () => {
    await expect(group(f, 'admin', { case: 'setRole', value: { groupId, user: 'member', role: pb.GroupRole.ADMIN } })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_OWNER,
    });
    await expect(group(f, 'owner', { case: 'setRole', value: { groupId, user: 'member', role: pb.GroupRole.OWNER } })).rejects.toMatchObject({
      code: ErrorCode.INVALID_GROUP_ARGUMENT,
    });
    await group(f, 'owner', { case: 'setRole', value: { groupId, user: 'admin', role: pb.GroupRole.MEMBER } });
    expect((await notices(f, 'admin')).at(-1)).toMatchObject({ kind: pb.NoticeKind.ROLE, role: pb.GroupRole.MEMBER });
  });
});

describe('mute, card, do-not-disturb', () => {
  it('mutes a member for some seconds and lifts it with 0', async () => {
    await group(f, 'admin', { case: 'mute', value: { groupId, user: 'member', seconds: 600 } });
    const info = await group(f, 'member', { case: 'info', value: { groupId } });
    expect((info.value as pb.GroupInfo).myMuteUntilMs).toBe(BigInt(f.clock.now() + 600_000));
    expect((await notices(f, 'other')).at(-1)).toMatchObject({ kind: pb.NoticeKind.MUTE, muteUntilMs: BigInt(f.clock.now() + 600_000) });
    await group(f, 'admin', { case: 'mute', value: { groupId, user: 'member', seconds: 0 } });
    expect(((await group(f, 'member', { case: 'info', value: { groupId } })).value as pb.GroupInfo).myMuteUntilMs).toBe(0n);
    await expect(group(f, 'admin', { case: 'mute', value: { groupId, user: 'owner', seconds: 5 } })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_OWNER,
    });
    await expect(group(f, 'member', { case: 'mute', value: { groupId, user: 'other', seconds: 5 } })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_ADMIN,
    });
  });

  it('lets a member set their own card and managers set others’', async () => {
    await group(f, 'member', { case: 'setCard', value: { groupId, card: 'me' } });
    await expect(group(f, 'member', { case: 'setCard', value: { groupId, user: 'other', card: 'you' } })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_ADMIN,
    });
    await group(f, 'admin', { case: 'setCard', value: { groupId, user: 'other', card: 'them' } });
  });

  it('keeps do-not-disturb per member', async () => {
    await group(f, 'member', { case: 'setDnd', value: { groupId, on: true } });
    expect(await group(f, 'member', { case: 'info', value: { groupId } })).toMatchObject({ value: { dnd: true } });
    expect(await group(f, 'other', { case: 'info', value: { groupId } })).toMatchObject({ value: { dnd: false } });
  });
});
