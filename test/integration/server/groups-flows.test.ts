import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { DIFFUSION_MODES, isMessage, isNotice, openChatWorld, type ChatWorld } from './chat-fixture';

let world: ChatWorld;

describe.each(DIFFUSION_MODES)('%s', (_mode, groupTimelineThreshold) => {
  const infoOf = (result: pb.GroupResult['result']): pb.GroupInfo => {
    if (result.case !== 'group') throw new Error(`expected a group, got ${String(result.case)}`);
    return result.value;
  };

  beforeEach(async () => {
    world = await openChatWorld({ tuning: { groupTimelineThreshold } });
  });
  afterEach(async () => {
    await world.close();
  });

  describe('group flows over TCP', () => {
    it('an application is approved by an admin and the new member chats at once', async () => {
      const owner = await world.login('owner01');
      const admin = await world.login('admin01');
      const applicant = await world.login('newbie01');
      const group = infoOf(
        await owner.group({ case: 'create', value: { name: 'Climbers', mode: pb.GroupMode.APPROVAL, members: ['admin01'] } }),
      );
      await owner.group({ case: 'setRole', value: { groupId: group.groupId, user: 'admin01', role: pb.GroupRole.ADMIN } });

      const found = await applicant.group({ case: 'search', value: { keyword: 'Climb' } });
      expect((found.value as pb.GroupList).groups.map((g) => g.groupId)).toEqual([group.groupId]);
      const pending = await applicant.group({ case: 'apply', value: { groupId: group.groupId, reason: 'I climb' } });
      expect(pending.case).toBe('pending');

      const application = await admin.nextPush(isNotice(pb.NoticeKind.APPLY));
      const notice = application.item.value as pb.Notice;
      expect(notice).toMatchObject({ targets: ['newbie01'], text: 'I climb' });
      await admin.group({ case: 'approve', value: { groupId: group.groupId, requestId: notice.requestId } });
      await applicant.nextPush(isNotice(pb.NoticeKind.APPROVE));

      await applicant.text(group.groupId, 'hi all', 1);
      expect((await owner.nextPush(isMessage)).item.value).toMatchObject({ from: 'newbie01', to: group.groupId, text: 'hi all' });
      const mine = await applicant.group({ case: 'listMine', value: {} });
      expect((mine.value as pb.GroupList).groups.map((g) => g.name)).toEqual(['Climbers']);
    });

    it('an invite to a group that asks for confirmation waits for the invitee, even offline', async () => {
      const owner = await world.login('owner01');
      const group = infoOf(await owner.group({ case: 'create', value: { name: 'Book club', mode: pb.GroupMode.PRIVATE, inviteConfirm: true } }));
      await owner.group({ case: 'invite', value: { groupId: group.groupId, users: ['reader01'], reason: 'join us' } });

      const reader = await world.login('reader01');
      const [entry] = await reader.syncAll();
      const request = entry!.item.value as pb.Notice;
      expect(request).toMatchObject({ kind: pb.NoticeKind.INVITE_REQUEST, actor: 'owner01', groupName: 'Book club', text: 'join us' });
      await expect(reader.text(group.groupId, 'early', 1)).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
      const joined = infoOf(await reader.group({ case: 'acceptInvite', value: { groupId: group.groupId, requestId: request.requestId } }));
      expect(joined).toMatchObject({ memberCount: 2, myRole: pb.GroupRole.MEMBER });
      expect((await owner.nextPush(isNotice(pb.NoticeKind.JOIN))).item.value).toMatchObject({ actor: 'reader01' });
    });

    describe('an invite dies with its inviter\'s right to send it', () => {
      async function pendingInvite(mode: pb.GroupMode, inviterRole: pb.GroupRole) {
        const owner = await world.login('owner01');
        const inviter = await world.login('member01');
        const outsider = await world.login('outsider01');
        const group = infoOf(await owner.group({ case: 'create', value: { name: 'Den', mode, inviteConfirm: true } }));
        await owner.group({ case: 'invite', value: { groupId: group.groupId, users: ['member01'] } });
        const own = (await inviter.nextPush(isNotice(pb.NoticeKind.INVITE_REQUEST))).item.value as pb.Notice;
        await inviter.group({ case: 'acceptInvite', value: { groupId: group.groupId, requestId: own.requestId } });
        if (inviterRole === pb.GroupRole.ADMIN) {
          await owner.group({ case: 'setRole', value: { groupId: group.groupId, user: 'member01', role: pb.GroupRole.ADMIN } });
        }
        await inviter.group({ case: 'invite', value: { groupId: group.groupId, users: ['outsider01'] } });
        const invite = (await outsider.nextPush(isNotice(pb.NoticeKind.INVITE_REQUEST))).item.value as pb.Notice;
        const accept = () => outsider.group({ case: 'acceptInvite', value: { groupId: group.groupId, requestId: invite.requestId } });
        return { owner, group, accept };
      }

      it('a kicked member\'s invite lets nobody in after the group was made private', async () => {
        const { owner, group, accept } = await pendingInvite(pb.GroupMode.PUBLIC, pb.GroupRole.MEMBER);
        await owner.group({ case: 'kick', value: { groupId: group.groupId, users: ['member01'] } });
        await owner.group({ case: 'modify', value: { groupId: group.groupId, mode: pb.GroupMode.PRIVATE } });
        await expect(accept()).rejects.toMatchObject({ code: ErrorCode.REQUEST_NOT_FOUND });
        const info = infoOf(await owner.group({ case: 'info', value: { groupId: group.groupId } }));
        expect(info.memberCount).toBe(1);
      });

      it('a kick alone ends the kicked member\'s invites', async () => {
        const { owner, group, accept } = await pendingInvite(pb.GroupMode.PUBLIC, pb.GroupRole.MEMBER);
        await owner.group({ case: 'kick', value: { groupId: group.groupId, users: ['member01'] } });
        await expect(accept()).rejects.toMatchObject({ code: ErrorCode.REQUEST_NOT_FOUND });
      });

      it('a mode change alone ends the invites sent under the old mode', async () => {
        const { owner, group, accept } = await pendingInvite(pb.GroupMode.PUBLIC, pb.GroupRole.MEMBER);
        await owner.group({ case: 'modify', value: { groupId: group.groupId, mode: pb.GroupMode.PRIVATE } });
        await expect(accept()).rejects.toMatchObject({ code: ErrorCode.REQUEST_NOT_FOUND });
      });

      it('an admin demoted to member in a private group can no longer admit anyone by an old invite', async () => {
        const { owner, group, accept } = await pendingInvite(pb.GroupMode.PRIVATE, pb.GroupRole.ADMIN);
        await owner.group({ case: 'setRole', value: { groupId: group.groupId, user: 'member01', role: pb.GroupRole.MEMBER } });
        await expect(accept()).rejects.toMatchObject({ code: ErrorCode.REQUEST_NOT_FOUND });
      });

      it('an invite whose inviter is still entitled still admits', async () => {
        const { accept } = await pendingInvite(pb.GroupMode.PRIVATE, pb.GroupRole.ADMIN);
        expect(infoOf(await accept()).memberCount).toBe(3);
      });
    });

    it('kicked and dismissed members learn it when they come back', async () => {
      const owner = await world.login('owner01');
      const a = infoOf(await owner.group({ case: 'create', value: { name: 'A', members: ['away01'] } }));
      const b = infoOf(await owner.group({ case: 'create', value: { name: 'B', members: ['away01'] } }));
      await owner.group({ case: 'kick', value: { groupId: a.groupId, users: ['away01'], reason: 'inactive' } });
      await owner.group({ case: 'dismiss', value: { groupId: b.groupId } });
      const away = await world.login('away01');
      const notices = (await away.syncAll()).map((e) => e.item.value as pb.Notice);
      expect(notices.map((n) => [n.kind, n.groupName])).toEqual([
        [pb.NoticeKind.CREATE, 'A'],
        [pb.NoticeKind.CREATE, 'B'],
        [pb.NoticeKind.KICK, 'A'],
        [pb.NoticeKind.DISMISS, 'B'],
      ]);
      await expect(away.text(a.groupId, 'x', 1)).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
      await expect(away.text(b.groupId, 'x', 2)).rejects.toMatchObject({ code: ErrorCode.GROUP_DISMISSED });
    });

    it('a manager who mutes themselves is told so, not that only the owner may', async () => {
      const owner = await world.login('owner01');
      const admin = await world.login('admin01');
      const group = infoOf(await owner.group({ case: 'create', value: { name: 'M', members: ['admin01'] } }));
      await owner.group({ case: 'setRole', value: { groupId: group.groupId, user: 'admin01', role: pb.GroupRole.ADMIN } });
      for (const [session, user] of [[owner, 'owner01'], [admin, 'admin01']] as const) {
        await expect(session.group({ case: 'mute', value: { groupId: group.groupId, user, seconds: 60 } })).rejects.toMatchObject({
          code: ErrorCode.INVALID_GROUP_ARGUMENT,
          message: 'you cannot mute yourself',
        });
      }
    });

    it('pages members with their nicknames', async () => {
      const owner = await world.login('owner01');
      const pat = await world.login('pat01');
      await pat.client.ask('PROFILE_UPDATE', { nickname: 'Pat' }, 'PROFILES');
      const group = infoOf(await owner.group({ case: 'create', value: { name: 'N', members: ['pat01', 'quinn01'] } }));
      const page = await owner.group({ case: 'members', value: { groupId: group.groupId, offset: 1, limit: 1 } });
      expect(page.value).toMatchObject({ total: 3, members: [expect.objectContaining({ userId: 'pat01', nickname: 'Pat' })] });
    });

    it('a modify notice says what changed: the new name, several settings at once, nothing for no change', async () => {
      const owner = await world.login('owner01');
      const member = await world.login('member01');
      const group = infoOf(await owner.group({ case: 'create', value: { name: 'Hikers', members: ['member01', 'away01'] } }));
      const groupId = group.groupId;

      await owner.group({ case: 'modify', value: { groupId, name: 'Hikers 2' } });
      expect((await member.nextPush(isNotice(pb.NoticeKind.MODIFY))).item.value).toMatchObject({
        actor: 'owner01',
        groupName: 'Hikers 2',
        changed: [pb.GroupField.NAME],
        text: '',
      });
      // the name it already has, with a new announcement and mode: only those two are named
      await owner.group({
        case: 'modify',
        value: { groupId, name: 'Hikers 2', announcement: 'Sunday 8:00', mode: pb.GroupMode.APPROVAL, inviteConfirm: false },
      });
      expect((await member.nextPush(isNotice(pb.NoticeKind.MODIFY))).item.value).toMatchObject({
        changed: [pb.GroupField.ANNOUNCEMENT, pb.GroupField.MODE],
        text: 'Sunday 8:00',
        mode: pb.GroupMode.APPROVAL,
      });
      await owner.group({ case: 'modify', value: { groupId, mode: pb.GroupMode.APPROVAL, announcement: 'Sunday 8:00' } });
      await owner.group({ case: 'modify', value: { groupId, inviteConfirm: true, announcement: '' } });
      expect((await member.nextPush(isNotice(pb.NoticeKind.MODIFY))).item.value).toMatchObject({
        changed: [pb.GroupField.ANNOUNCEMENT, pb.GroupField.INVITE_CONFIRM],
        text: '',
        inviteConfirm: true,
      });

      // a member who was away finds the same in their inbox: three notices, the change to nothing new left none
      const away = await world.login('away01');
      const modifies = (await away.syncAll()).map((e) => e.item.value as pb.Notice).filter((n) => n.kind === pb.NoticeKind.MODIFY);
      expect(modifies.map((n) => n.changed)).toEqual([
        [pb.GroupField.NAME],
        [pb.GroupField.ANNOUNCEMENT, pb.GroupField.MODE],
        [pb.GroupField.ANNOUNCEMENT, pb.GroupField.INVITE_CONFIRM],
      ]);
    });

    it('counts a name and an announcement in characters as people see them: 64 emoji make a name, create and modify alike', async () => {
      const owner = await world.login('owner01');
      const emoji = '\u{1F426}';
      const group = infoOf(await owner.group({ case: 'create', value: { name: emoji.repeat(64), announcement: emoji.repeat(1_024) } }));
      expect(group).toMatchObject({ name: emoji.repeat(64), announcement: emoji.repeat(1_024) });
      const renamed = infoOf(await owner.group({ case: 'modify', value: { groupId: group.groupId, name: `鹊${emoji.repeat(63)}` } }));
      expect(renamed.name).toBe(`鹊${emoji.repeat(63)}`);
      await expect(owner.group({ case: 'create', value: { name: emoji.repeat(65) } })).rejects.toMatchObject({
        code: ErrorCode.INVALID_GROUP_ARGUMENT,
        message: expect.stringContaining('name has 65 characters: at most 64'),
      });
      await expect(owner.group({ case: 'modify', value: { groupId: group.groupId, announcement: emoji.repeat(1_025) } })).rejects.toMatchObject({
        code: ErrorCode.INVALID_GROUP_ARGUMENT,
        message: expect.stringContaining('announcement has 1025 characters: at most 1024'),
      });
    });

    it('shows a group\'s messages to no one outside it: SYNC, TIMELINE_SYNC and READ give an outsider nothing of it', async () => {
      const owner = await world.login('owner01');
      const outsider = await world.login('outsider01');
      const group = infoOf(await owner.group({ case: 'create', value: { name: 'Inner', mode: pb.GroupMode.PUBLIC, members: ['member01', 'member02'] } }));
      const sent = await owner.text(group.groupId, 'inner words', 1);
      // a cursor named for the group by someone outside it reads nothing of it
      const page = await outsider.client.ask('TIMELINE_SYNC', { cursors: [{ groupId: group.groupId, seq: 0n }], limit: 200 }, 'TIMELINE_PAGE');
      expect(page.slices).toEqual([]);
      expect((await outsider.syncAll()).filter((e) => e.item.case === 'message')).toEqual([]);
      await expect(outsider.client.ask('READ', { conversation: group.groupId, upToMsgId: sent.msgId }, 'OK')).rejects.toMatchObject({
        code: ErrorCode.NOT_GROUP_MEMBER,
      });
      await expect(outsider.client.ask('READ', { conversation: 'gffffffffffffffff', upToMsgId: sent.msgId }, 'OK')).rejects.toMatchObject({
        code: ErrorCode.GROUP_NOT_FOUND,
      });
    });

    it('an invite naming members already in reaches only the new: its answer names both, its notice only the new', async () => {
      const owner = await world.login('owner01');
      const member = await world.login('member01');
      const group = infoOf(await owner.group({ case: 'create', value: { name: 'Crew', members: ['member01'] } }));
      const answer = await owner.client.ask('GROUP', { op: { case: 'invite', value: { groupId: group.groupId, users: ['new01', 'member01', 'new02'] } } }, 'GROUP_RESULT');
      expect(answer).toMatchObject({ invited: ['new01', 'new02'], alreadyMembers: ['member01'] });
      expect(infoOf(answer.result).memberCount).toBe(4);
      expect((await member.nextPush(isNotice(pb.NoticeKind.INVITE))).item.value).toMatchObject({ actor: 'owner01', targets: ['new01', 'new02'] });
      // every one named already in: refused, nothing told
      await expect(owner.group({ case: 'invite', value: { groupId: group.groupId, users: ['member01', 'new01'] } })).rejects.toMatchObject({
        code: ErrorCode.ALREADY_IN_GROUP,
      });
      // where invitees confirm, the answer names whom it asked
      await owner.group({ case: 'modify', value: { groupId: group.groupId, inviteConfirm: true } });
      const asked = await owner.client.ask('GROUP', { op: { case: 'invite', value: { groupId: group.groupId, users: ['member01', 'new03'] } } }, 'GROUP_RESULT');
      expect(asked).toMatchObject({ result: { case: 'pending' }, invited: ['new03'], alreadyMembers: ['member01'] });
      // any other operation's answer names no one
      const info = await owner.client.ask('GROUP', { op: { case: 'info', value: { groupId: group.groupId } } }, 'GROUP_RESULT');
      expect(info).toMatchObject({ invited: [], alreadyMembers: [] });
    });
  });
});

