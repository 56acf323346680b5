import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { bodyOf, createChatFixture, makeGroup, text, type ChatFixture } from './chat-fixture';
import { group, notices } from './groups-fixture';

let f: ChatFixture;
afterEach(() => f.close());

/** A group of owner, admin, member and other, with admin made an admin; large from `threshold` members on. */
async function setUp(threshold?: number): Promise<string> {
  f = createChatFixture(threshold === undefined ? {} : { groupTimelineThreshold: threshold });
  const groupId = await makeGroup(f, 'owner', ['admin', 'member', 'other']);
  await group(f, 'owner', { case: 'setRole', value: { groupId, user: 'admin', role: pb.GroupRole.ADMIN } });
  return groupId;
}

const muteAll = (user: string, groupId: string, on: boolean) => group(f, user, { case: 'modify', value: { groupId, muteAll: on } });
const info = async (user: string, groupId: string) => (await group(f, user, { case: 'info', value: { groupId } })).value as pb.GroupInfo;

describe('mute all', () => {
  it('is turned on and off by the owner or an admin, never by a plain member', async () => {
    const groupId = await setUp();
    await expect(muteAll('member', groupId, true)).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_ADMIN });
    expect((await info('member', groupId)).muteAll).toBe(false);
    const turnedOn = await muteAll('admin', groupId, true);
    expect((turnedOn.value as pb.GroupInfo).muteAll).toBe(true);
    expect((await info('member', groupId)).muteAll).toBe(true);
    await expect(muteAll('other', groupId, false)).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_ADMIN });
    await muteAll('owner', groupId, false);
    expect((await info('other', groupId)).muteAll).toBe(false);
    expect((await info('owner', groupId)).muteAll).toBe(false);
  });

  it('tells every member who turned it on and off, and says nothing when it was so already', async () => {
    const groupId = await setUp();
    await muteAll('admin', groupId, true);
    await muteAll('owner', groupId, true);
    await muteAll('owner', groupId, false);
    for (const user of ['owner', 'admin', 'member', 'other']) {
      const told = (await notices(f, user)).filter((n) => n.kind === pb.NoticeKind.MODIFY);
      expect(told.map((n) => ({ actor: n.actor, changed: n.changed, muteAll: n.muteAll }))).toEqual([
        { actor: 'admin', changed: [pb.GroupField.MUTE_ALL], muteAll: true },
        { actor: 'owner', changed: [pb.GroupField.MUTE_ALL], muteAll: false },
      ]);
    }
  });

  it('refuses a SEND from a plain member while on, with GROUP_MUTED_ALL (not SELF_MUTED); the owner and admins still send', async () => {
    const groupId = await setUp();
    await muteAll('owner', groupId, true);
    const refused = f.call('member', 'SEND', text(groupId, 'hello?', 1));
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.GROUP_MUTED_ALL });
    await expect(refused).rejects.toThrow(/all members of .* are muted/);
    await expect(f.call('other', 'SEND', text(groupId, 'me too?', 2))).rejects.toMatchObject({ code: ErrorCode.GROUP_MUTED_ALL });
    bodyOf(await f.call('owner', 'SEND', text(groupId, 'owner speaks', 3)), 'SENT');
    bodyOf(await f.call('admin', 'SEND', text(groupId, 'admin speaks', 4)), 'SENT');
    // a member made an admin speaks at once; one made a member again is muted again
    await group(f, 'owner', { case: 'setRole', value: { groupId, user: 'member', role: pb.GroupRole.ADMIN } });
    bodyOf(await f.call('member', 'SEND', text(groupId, 'now I may', 5)), 'SENT');
    await group(f, 'owner', { case: 'setRole', value: { groupId, user: 'member', role: pb.GroupRole.MEMBER } });
    await expect(f.call('member', 'SEND', text(groupId, 'not any more', 6))).rejects.toMatchObject({ code: ErrorCode.GROUP_MUTED_ALL });
    // a member also muted alone is told of their own mute first, with its own code
    await group(f, 'owner', { case: 'mute', value: { groupId, user: 'other', seconds: 60 } });
    await expect(f.call('other', 'SEND', text(groupId, 'and me?', 8))).rejects.toMatchObject({ code: ErrorCode.SELF_MUTED });
    await muteAll('admin', groupId, false);
    bodyOf(await f.call('member', 'SEND', text(groupId, 'free again', 7)), 'SENT');
  });

  it('leaves a muted member reading, marking read, revoking their own message and quitting, as a single mute does', async () => {
    const groupId = await setUp();
    const sent = bodyOf(await f.call('member', 'SEND', text(groupId, 'said before', 1)), 'SENT');
    await muteAll('owner', groupId, true);
    await expect(f.call('member', 'SEND', text(groupId, 'muted now', 3))).rejects.toMatchObject({ code: ErrorCode.GROUP_MUTED_ALL });
    const fromOwner = bodyOf(await f.call('owner', 'SEND', text(groupId, 'announcement', 2)), 'SENT');
    await f.call('member', 'READ', { conversation: groupId, upToMsgId: fromOwner.msgId });
    await f.call('member', 'REVOKE', { msgId: sent.msgId });
    await group(f, 'other', { case: 'quit', value: { groupId } });
    expect((await info('member', groupId)).memberCount).toBe(3);
  });

  it('reaches every member of a large (read-diffused) group, and holds there too', async () => {
    const groupId = await setUp(3);
    for (const user of ['owner', 'admin', 'member', 'other']) f.delivery.connect(user, `${user}-1`);
    // the first SEND at the threshold makes the group read-diffused
    const first = bodyOf(await f.call('member', 'SEND', text(groupId, 'before', 1)), 'SENT');
    expect(first.timelineSeq).toBeGreaterThan(0n);
    for (const user of ['owner', 'admin', 'member', 'other']) f.delivery.take(user);
    await muteAll('admin', groupId, true);
    for (const user of ['owner', 'admin', 'member', 'other']) {
      const pushed = f.delivery.take(user).flatMap((frame) => (frame.name === 'PUSH' ? [frame.body] : []));
      expect(pushed.map((p) => (p.item.case === 'notice' ? p.item.value.changed : undefined))).toEqual([[pb.GroupField.MUTE_ALL]]);
      expect((await notices(f, user)).at(-1)).toMatchObject({ kind: pb.NoticeKind.MODIFY, actor: 'admin', muteAll: true });
    }
    await expect(f.call('member', 'SEND', text(groupId, 'muted', 2))).rejects.toMatchObject({ code: ErrorCode.GROUP_MUTED_ALL });
    expect(bodyOf(await f.call('admin', 'SEND', text(groupId, 'admin speaks', 3)), 'SENT').timelineSeq).toBeGreaterThan(first.timelineSeq);
  });
});
