import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { createChatFixture, makeGroup, type ChatFixture } from './chat-fixture';
import { group, memberIds, notices } from './groups-fixture';

let f: ChatFixture;
beforeEach(() => {
  f = createChatFixture();
});
afterEach(() => f.close());

describe('joining', () => {
  it('lets anyone join a public group directly, and apply does the same there', async () => {
    const groupId = await makeGroup(f, 'alice', [], { mode: pb.GroupMode.PUBLIC });
    expect(await group(f, 'bob', { case: 'join', value: { groupId } })).toMatchObject({ case: 'group', value: { myRole: pb.GroupRole.MEMBER } });
    expect(await group(f, 'carol', { case: 'apply', value: { groupId } })).toMatchObject({ case: 'group' });
    expect(await memberIds(f, 'alice', groupId)).toEqual(['alice', 'bob', 'carol']);
    expect((await notices(f, 'alice')).at(-1)).toMatchObject({ kind: pb.NoticeKind.JOIN, actor: 'carol', targets: ['carol'] });
    await expect(group(f, 'bob', { case: 'join', value: { groupId } })).rejects.toMatchObject({ code: ErrorCode.ALREADY_IN_GROUP });
  });

  it('refuses direct joins of approval and private groups', async () => {
    const approval = await makeGroup(f, 'alice', [], { mode: pb.GroupMode.APPROVAL });
    const secret = await makeGroup(f, 'alice', [], { mode: pb.GroupMode.PRIVATE });
    await expect(group(f, 'bob', { case: 'join', value: { groupId: approval } })).rejects.toMatchObject({ code: ErrorCode.GROUP_NEEDS_APPROVAL });
    await expect(group(f, 'bob', { case: 'join', value: { groupId: secret } })).rejects.toMatchObject({ code: ErrorCode.GROUP_PRIVATE });
    await expect(group(f, 'bob', { case: 'apply', value: { groupId: secret } })).rejects.toMatchObject({ code: ErrorCode.GROUP_PRIVATE });
  });

  it('runs an application past the owner and admins', async () => {
    const groupId = await makeGroup(f, 'alice', ['dave'], { mode: pb.GroupMode.APPROVAL });
    await group(f, 'alice', { case: 'setRole', value: { groupId, user: 'dave', role: pb.GroupRole.ADMIN } });
    const pending = await group(f, 'bob', { case: 'apply', value: { groupId, reason: 'I hike too' } });
    expect(pending.case).toBe('pending');
    const requestId = (pending.value as pb.Pending).requestId;
    expect(await group(f, 'bob', { case: 'apply', value: { groupId } })).toEqual(pending);
    for (const manager of ['alice', 'dave']) {
      expect((await notices(f, manager)).at(-1)).toMatchObject({ kind: pb.NoticeKind.APPLY, targets: ['bob'], text: 'I hike too', requestId });
    }
    await expect(group(f, 'carol', { case: 'approve', value: { groupId, requestId } })).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    await group(f, 'dave', { case: 'approve', value: { groupId, requestId } });
    expect(await memberIds(f, 'alice', groupId)).toContain('bob');
    expect((await notices(f, 'bob')).at(-1)).toMatchObject({ kind: pb.NoticeKind.APPROVE, actor: 'dave', targets: ['bob'] });
    await expect(group(f, 'alice', { case: 'approve', value: { groupId, requestId } })).rejects.toMatchObject({ code: ErrorCode.REQUEST_NOT_FOUND });
  });

  it('tells a rejected applicant, who stays out', async () => {
    const groupId = await makeGroup(f, 'alice', ['carol'], { mode: pb.GroupMode.APPROVAL });
    const pending = (await group(f, 'bob', { case: 'apply', value: { groupId } })).value as pb.Pending;
    await expect(group(f, 'carol', { case: 'reject', value: { groupId, requestId: pending.requestId } })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_ADMIN,
    });
    await group(f, 'alice', { case: 'reject', value: { groupId, requestId: pending.requestId, reason: 'full up' } });
    expect(await notices(f, 'bob')).toEqual([expect.objectContaining({ kind: pb.NoticeKind.REJECT, text: 'full up' })]);
    expect(await memberIds(f, 'alice', groupId)).not.toContain('bob');
  });
});

describe('invites', () => {
  it('adds invitees at once when the group needs no confirmation', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob'], { mode: pb.GroupMode.PUBLIC });
    await group(f, 'bob', { case: 'invite', value: { groupId, users: ['carol', 'dave'] } });
    expect(await memberIds(f, 'alice', groupId)).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect((await notices(f, 'carol')).at(-1)).toMatchObject({ kind: pb.NoticeKind.INVITE, actor: 'bob', targets: ['carol', 'dave'] });
    await expect(group(f, 'bob', { case: 'invite', value: { groupId, users: ['carol'] } })).rejects.toMatchObject({
      code: ErrorCode.ALREADY_IN_GROUP,
    });
  });

  it('lets only managers invite into approval and private groups', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob'], { mode: pb.GroupMode.PRIVATE });
    await expect(group(f, 'bob', { case: 'invite', value: { groupId, users: ['carol'] } })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_ADMIN,
    });
    await expect(group(f, 'zed', { case: 'invite', value: { groupId, users: ['carol'] } })).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_MEMBER,
    });
    await group(f, 'alice', { case: 'invite', value: { groupId, users: ['carol'] } });
    expect(await memberIds(f, 'alice', groupId)).toContain('carol');
  });

  it('waits for the invitee to accept where the group asks for confirmation', async () => {
    const groupId = await makeGroup(f, 'alice', ['bob'], { inviteConfirm: true });
    expect(await memberIds(f, 'alice', groupId)).toEqual(['alice']);
    const [request] = await notices(f, 'bob');
    expect(request).toMatchObject({ kind: pb.NoticeKind.INVITE_REQUEST, actor: 'alice', targets: ['bob'] });
    await expect(group(f, 'carol', { case: 'acceptInvite', value: { groupId, requestId: request!.requestId } })).rejects.toMatchObject({
      code: ErrorCode.REQUEST_NOT_FOUND,
    });
    await group(f, 'bob', { case: 'acceptInvite', value: { groupId, requestId: request!.requestId } });
    expect(await memberIds(f, 'alice', groupId)).toEqual(['alice', 'bob']);
    expect((await notices(f, 'alice')).at(-1)).toMatchObject({ kind: pb.NoticeKind.JOIN, actor: 'bob' });
  });

  it('tells the inviter when an invite is declined', async () => {
    const groupId = await makeGroup(f, 'alice', [], { inviteConfirm: true });
    const pending = (await group(f, 'alice', { case: 'invite', value: { groupId, users: ['bob'] } })).value as pb.Pending;
    await group(f, 'bob', { case: 'declineInvite', value: { groupId, requestId: pending.requestId, reason: 'busy' } });
    expect((await notices(f, 'alice')).at(-1)).toMatchObject({ kind: pb.NoticeKind.DECLINE, actor: 'bob', text: 'busy' });
    expect(await memberIds(f, 'alice', groupId)).toEqual(['alice']);
  });

  it('refuses to go past the member limit', async () => {
    const crowd = Array.from({ length: 98 }, (_, i) => `user${i}`);
    const groupId = await makeGroup(f, 'alice', crowd, { type: pb.GroupType.TEMPORARY, mode: pb.GroupMode.PUBLIC });
    await group(f, 'bob', { case: 'join', value: { groupId } });
    await expect(group(f, 'carol', { case: 'join', value: { groupId } })).rejects.toMatchObject({ code: ErrorCode.GROUP_FULL });
    await expect(group(f, 'alice', { case: 'invite', value: { groupId, users: ['carol'] } })).rejects.toMatchObject({ code: ErrorCode.GROUP_FULL });
  });

  it('fills a super group to 2,000 members, and one message reaches every inbox once', async () => {
    const groupId = await makeGroup(f, 'alice', [], { type: pb.GroupType.SUPER, mode: pb.GroupMode.PRIVATE });
    for (let batch = 0; batch < 10; batch++) {
      const users = Array.from({ length: batch === 9 ? 199 : 200 }, (_, i) => `u${batch}n${i}`);
      await group(f, 'alice', { case: 'invite', value: { groupId, users } });
    }
    await expect(group(f, 'alice', { case: 'invite', value: { groupId, users: ['onemore'] } })).rejects.toMatchObject({ code: ErrorCode.GROUP_FULL });
    await f.call('alice', 'SEND', { clientMsgId: new Uint8Array(16).fill(9), to: groupId, type: pb.MessageType.TEXT, text: 'all hands' });
    const rows = f.db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT user_id) AS users FROM inbox WHERE msg_id IS NOT NULL').get();
    expect(rows).toEqual({ n: 2000, users: 2000 });
    expect(f.db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 1 });
  }, 60_000);
});
