import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, pb } from '../../../protocol';
import { DIFFUSION_MODES, isMessage, openChatWorld, type ChatWorld } from './chat-fixture';

let world: ChatWorld;
let clock: ManualClock;

describe.each(DIFFUSION_MODES)('%s', (_mode, groupTimelineThreshold) => {
  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 10, 28, 6, 0, 0));
    // the clock jumps days ahead: sessions must not time out meanwhile
    world = await openChatWorld({
      clock,
      tuning: { requestsPerSecond: 100_000, requestBurst: 100_000, idleTimeoutMs: 30 * 86_400_000, groupTimelineThreshold },
    });
  });
  afterEach(async () => {
    await world.close();
  });

  const isRevoked = (entry: pb.Entry): boolean => entry.item.case === 'revoked';

  describe('revoke over TCP', () => {
    it('lets the sender revoke within two minutes and pushes the Revoked entry to the peer', async () => {
      const alice = await world.login('alice01');
      const bob = await world.login('bob01');
      const sent = await alice.text('bob01', 'wrong chat', 1);
      await bob.nextPush(isMessage);
      clock.advance(119_000);
      await alice.client.ask('REVOKE', { msgId: sent.msgId }, 'OK');
      expect((await bob.nextPush(isRevoked)).item.value).toMatchObject({ msgId: sent.msgId, by: 'alice01', conversation: 'alice01' });
      const late = await alice.text('bob01', 'kept', 2);
      clock.advance(120_001);
      await expect(alice.client.ask('REVOKE', { msgId: late.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.REVOKE_WINDOW_PASSED });
      const [first] = await bob.syncAll();
      expect(first!.item.value).toMatchObject({ msgId: sent.msgId, text: '' });
    });

    it('answers a revoke again of a revoked message OK for its sender only, even past the window', async () => {
      const alice = await world.login('alice01');
      const bob = await world.login('bob01');
      const stranger = await world.login('eve01');
      const sent = await alice.text('bob01', 'oops', 1);
      await alice.client.ask('REVOKE', { msgId: sent.msgId }, 'OK');
      clock.advance(86_400_000);
      // a retry whose first answer was lost still succeeds
      await alice.client.ask('REVOKE', { msgId: sent.msgId }, 'OK');
      // the peer and a stranger are refused, as before the revoke: no OK says they revoked it
      for (const who of [bob, stranger]) {
        await expect(who.client.ask('REVOKE', { msgId: sent.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.NOT_ALLOWED });
      }
    });

    it('lets a group owner revoke a member’s message long after', async () => {
      const owner = await world.login('owner01');
      const member = await world.login('member01');
      const created = await owner.group({ case: 'create', value: { name: 'team', members: ['member01'] } });
      const groupId = (created.value as pb.GroupInfo).groupId;
      const sent = await member.text(groupId, 'regrettable', 1);
      clock.advance(86_400_000);
      await expect(member.client.ask('REVOKE', { msgId: sent.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.REVOKE_WINDOW_PASSED });
      await owner.client.ask('REVOKE', { msgId: sent.msgId }, 'OK');
      expect((await member.nextPush(isRevoked)).item.value).toMatchObject({ by: 'owner01', conversation: groupId });
    });

    it('follows the group’s hierarchy long after: the owner any message, an admin plain members’ only', async () => {
      const owner = await world.login('owner01');
      const admin = await world.login('admin01');
      const other = await world.login('admin02');
      const member = await world.login('member01');
      const created = await owner.group({ case: 'create', value: { name: 'team', members: ['admin01', 'admin02', 'member01'] } });
      const groupId = (created.value as pb.GroupInfo).groupId;
      for (const user of ['admin01', 'admin02']) {
        await owner.group({ case: 'setRole', value: { groupId, user, role: pb.GroupRole.ADMIN } });
      }
      const byOwner = await owner.text(groupId, 'from the owner', 1);
      const byOther = await other.text(groupId, 'from another admin', 1);
      const byMember = await member.text(groupId, 'from a member', 1);
      const byAdmin = await admin.text(groupId, 'from the admin', 1);
      clock.advance(86_400_000);
      for (const msgId of [byOwner.msgId, byOther.msgId]) {
        await expect(admin.client.ask('REVOKE', { msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
      }
      await admin.client.ask('REVOKE', { msgId: byMember.msgId }, 'OK');
      // one's own, at any age, as before
      await admin.client.ask('REVOKE', { msgId: byAdmin.msgId }, 'OK');
      await owner.client.ask('REVOKE', { msgId: byOther.msgId }, 'OK');
      await owner.client.ask('REVOKE', { msgId: byOwner.msgId }, 'OK');
      // a retry of a revoke already done answers as before it: the admin may not have done that one
      await expect(admin.client.ask('REVOKE', { msgId: byOther.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_OWNER });
      const revokedBy = (await member.syncAll()).filter(isRevoked).map((e) => (e.item.value as pb.Revoked).by);
      expect(revokedBy).toEqual(['admin01', 'admin01', 'owner01', 'owner01']);
    });

    it('refuses a sender out of the group within the window; its managers still revoke the message', async () => {
      const owner = await world.login('owner01');
      const admin = await world.login('admin01');
      const kicked = await world.login('kicked01');
      const leaver = await world.login('leaver01');
      const created = await owner.group({ case: 'create', value: { name: 'team', members: ['admin01', 'kicked01', 'leaver01'] } });
      const groupId = (created.value as pb.GroupInfo).groupId;
      await owner.group({ case: 'setRole', value: { groupId, user: 'admin01', role: pb.GroupRole.ADMIN } });
      const fromKicked = await kicked.text(groupId, 'before the kick', 1);
      const fromLeaver = await leaver.text(groupId, 'before leaving', 1);
      // while a member, one's own message within the window
      const takenBack = await leaver.text(groupId, 'taken back', 2);
      await leaver.client.ask('REVOKE', { msgId: takenBack.msgId }, 'OK');
      await owner.group({ case: 'kick', value: { groupId, users: ['kicked01'] } });
      await leaver.group({ case: 'quit', value: { groupId } });
      clock.advance(1_000);
      await expect(kicked.client.ask('REVOKE', { msgId: fromKicked.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
      await expect(leaver.client.ask('REVOKE', { msgId: fromLeaver.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
      // a former member ranks below everyone: an admin may revoke their message, the owner too
      await admin.client.ask('REVOKE', { msgId: fromKicked.msgId }, 'OK');
      await owner.client.ask('REVOKE', { msgId: fromLeaver.msgId }, 'OK');
      // nor is a retry of a revoke done while a member answered OK once out
      await expect(leaver.client.ask('REVOKE', { msgId: takenBack.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    });
  });

  describe('read receipts over TCP', () => {
    it('tells the sender when the peer has read up to a message', async () => {
      const alice = await world.login('alice01');
      const bob = await world.login('bob01');
      await alice.text('bob01', 'one', 1);
      const two = await alice.text('bob01', 'two', 2);
      await bob.client.ask('READ', { conversation: 'alice01', upToMsgId: two.msgId }, 'OK');
      const receipt = await alice.nextPush((e) => e.item.case === 'read');
      expect(receipt.item.value).toMatchObject({ reader: 'bob01', conversation: 'bob01', upToMsgId: two.msgId });
    });

    it('answers who read a group message and who did not', async () => {
      const owner = await world.login('owner01');
      const ann = await world.login('ann01');
      await world.login('ben01');
      const created = await owner.group({ case: 'create', value: { name: 'team', members: ['ann01', 'ben01'] } });
      const groupId = (created.value as pb.GroupInfo).groupId;
      const sent = await owner.text(groupId, 'meeting at 3', 1);
      await ann.client.ask('READ', { conversation: groupId, upToMsgId: sent.msgId }, 'OK');
      const readers = await owner.client.ask('READERS_QUERY', { msgId: sent.msgId }, 'READERS');
      expect(readers).toMatchObject({ read: ['ann01'], unread: ['ben01'] });
      await expect(ann.client.ask('READERS_QUERY', { msgId: sent.msgId }, 'READERS')).rejects.toMatchObject({
        code: ErrorCode.NOT_GROUP_ADMIN,
      });
    });
  });

  describe('burn after reading over TCP', () => {
    it('a read by the recipient burns the message on both sides', async () => {
      const alice = await world.login('alice01');
      const bob = await world.login('bob01');
      const sent = await alice.text('bob01', 'read once', 1, { burnAfterReading: true });
      expect((await bob.nextPush(isMessage)).item.value).toMatchObject({ text: 'read once', burnAfterReading: true });
      await bob.client.ask('READ', { conversation: 'alice01', upToMsgId: sent.msgId }, 'OK');
      const burnedForAlice = await alice.nextPush((e) => e.item.case === 'burned');
      expect(burnedForAlice.item.value).toMatchObject({ msgId: sent.msgId, conversation: 'bob01' });
      const bobLater = await world.login('bob01', { device: pb.DeviceKind.MOBILE });
      const entries = await bobLater.syncAll();
      expect(entries[0]!.item.value).toMatchObject({ msgId: sent.msgId, text: '' });
      expect(entries.some((e) => e.item.case === 'burned')).toBe(true);
    });
  });

  describe('notices through the same inbox', () => {
    it('reach a member who was offline, in order, on sync', async () => {
      const owner = await world.login('owner01');
      const created = await owner.group({ case: 'create', value: { name: 'team', members: ['carl01', 'dora01'] } });
      const groupId = (created.value as pb.GroupInfo).groupId;
      await owner.group({ case: 'setRole', value: { groupId, user: 'dora01', role: pb.GroupRole.ADMIN } });
      await owner.group({ case: 'mute', value: { groupId, user: 'carl01', seconds: 60 } });
      await owner.group({ case: 'modify', value: { groupId, name: 'renamed' } });
      await owner.text(groupId, 'hello all', 1);
      const carl = await world.login('carl01');
      const kinds = (await carl.syncAll()).map((e) => (e.item.case === 'notice' ? e.item.value.kind : e.item.case));
      expect(kinds).toEqual([pb.NoticeKind.CREATE, pb.NoticeKind.ROLE, pb.NoticeKind.MUTE, pb.NoticeKind.MODIFY, 'message']);
      await expect(carl.text(groupId, 'can I speak?', 1)).rejects.toMatchObject({ code: ErrorCode.SELF_MUTED });
    });
  });
});
