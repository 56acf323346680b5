import { create } from '@bufbuild/protobuf';
import { ErrorCode, MagpieError, pb } from '../../protocol';
import {
  checkName,
  checkText,
  checkUserIds,
  okResult,
  requireManager,
  requireOwner,
  type GroupOp,
  type GroupResultInit,
} from './group-context';
import { GROUP_LIMITS as L } from './group-limits';
import { outranks, type MemberRecord } from './membership';

function targetMember(op: GroupOp, groupId: string, userId: string): MemberRecord {
  const target = op.ctx.membership.member(op.appId, groupId, userId);
  if (target === undefined) throw new MagpieError(ErrorCode.NOT_GROUP_MEMBER, `${userId} is not a member of ${groupId}`);
  return target;
}

/** A manager acts on members below their rank (outranks): the owner on admins and members, admins on members. */
function requireOutranks(me: MemberRecord, target: MemberRecord): void {
  requireManager(me);
  if (!outranks(me.role, target.role)) throw new MagpieError(ErrorCode.NOT_GROUP_OWNER, 'only the owner may do this to an admin or the owner');
}

/** KICK: removes members; everyone, the kicked included, is told first. */
export function kickMembers(op: GroupOp, body: pb.GroupUsers): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  requireManager(me);
  checkText(body.reason, L.maxReasonChars, 'reason');
  const users = checkUserIds(body.users, L.maxUsersPerRequest);
  if (users.length === 0) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, 'name at least one member to kick');
  if (users.includes(op.me)) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, 'quit instead of kicking yourself');
  for (const user of users) requireOutranks(me, targetMember(op, group.groupId, user));
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.KICK, targets: users, text: body.reason });
  const now = op.ctx.clock.now();
  for (const user of users) {
    op.ctx.store.removeMember(op.appId, group.groupId, user);
    // an invite is only as good as its inviter's membership: an outsider must not get in through it
    op.ctx.store.dropInvitesBy(op.appId, group.groupId, user, now);
  }
  return okResult;
}

/** QUIT: any member but the owner, who transfers the group first. */
export function quitGroup(op: GroupOp, body: pb.GroupRef): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  if (me.role === pb.GroupRole.OWNER) throw new MagpieError(ErrorCode.OWNER_CANNOT_QUIT, 'the owner transfers the group before quitting');
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.QUIT, targets: [op.me] });
  op.ctx.store.removeMember(op.appId, group.groupId, op.me);
  op.ctx.store.dropInvitesBy(op.appId, group.groupId, op.me, op.ctx.clock.now());
  return okResult;
}

/** TRANSFER: the owner hands the group to a member and becomes a plain member. */
export function transferOwner(op: GroupOp, body: pb.GroupTarget): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  requireOwner(me);
  if (body.user === op.me) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, 'you own the group already');
  targetMember(op, group.groupId, body.user);
  op.ctx.store.setRole(op.appId, group.groupId, body.user, pb.GroupRole.OWNER);
  op.ctx.store.setRole(op.appId, group.groupId, op.me, pb.GroupRole.MEMBER);
  op.ctx.store.setOwner(op.appId, group.groupId, body.user);
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.TRANSFER, targets: [body.user], role: pb.GroupRole.OWNER });
  return { result: { case: 'group', value: op.info(group.groupId) } };
}

/** SET_ROLE: the owner makes a member an admin or an admin a member. */
export function setRole(op: GroupOp, body: pb.SetRole): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  requireOwner(me);
  if (body.role !== pb.GroupRole.ADMIN && body.role !== pb.GroupRole.MEMBER) {
    throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, 'the role is ADMIN or MEMBER; TRANSFER hands over ownership');
  }
  const target = targetMember(op, group.groupId, body.user);
  if (target.role === pb.GroupRole.OWNER) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, 'the owner keeps the owner role');
  op.ctx.store.setRole(op.appId, group.groupId, body.user, body.role);
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.ROLE, targets: [body.user], role: body.role });
  return okResult;
}

/** MUTE: a manager mutes a member below their rank for some seconds; 0 lifts it. */
export function muteMember(op: GroupOp, body: pb.MuteMember): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  requireManager(me);
  // the owner would be told 'only the owner may do this': a mute is for the others
  if (body.user === op.me) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, 'you cannot mute yourself');
  requireOutranks(me, targetMember(op, group.groupId, body.user));
  if (body.seconds > L.maxMuteSeconds) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `mute for at most ${L.maxMuteSeconds} s`);
  const untilMs = body.seconds === 0 ? 0 : op.ctx.clock.now() + body.seconds * 1000;
  op.ctx.store.setMute(op.appId, group.groupId, body.user, untilMs);
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.MUTE, targets: [body.user], muteUntilMs: untilMs });
  return okResult;
}

/**
 * SET_CARD: a member's name in the group; their own, or anyone's for a manager. The members online
 * are told quietly (a transient CARD notice, no line in the chat), so their clients name the
 * member by it at once; the others read it with the member list.
 */
export function setCard(op: GroupOp, body: pb.SetCard): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  const user = body.user === '' ? op.me : body.user;
  checkName(body.card, L.maxCardChars, 'card');
  const target = targetMember(op, group.groupId, user);
  if (user !== op.me) requireOutranks(me, target);
  if (target.card === body.card) return okResult;
  op.ctx.store.setCard(op.appId, group.groupId, user, body.card);
  op.notifyOnline(op.members(group.groupId), group, { kind: pb.NoticeKind.CARD, targets: [user], text: body.card });
  return okResult;
}

/** SET_DND: the caller's own do-not-disturb for the group. */
export function setDnd(op: GroupOp, body: pb.SetDnd): GroupResultInit {
  const { group } = op.myMembership(body.groupId);
  op.ctx.store.setDnd(op.appId, group.groupId, op.me, body.on);
  return okResult;
}

/** MEMBERS: a page of members, owner first, then admins, then by join time; members only. */
export function listMembers(op: GroupOp, body: pb.ListMembers): GroupResultInit {
  const { group } = op.myMembership(body.groupId);
  const limit = Math.min(body.limit === 0 ? L.defaultMembersPage : body.limit, L.maxMembersPage);
  const members = op.ctx.store.membersPage(op.appId, group.groupId, body.offset, limit).map((m) =>
    create(pb.GroupMemberSchema, {
      userId: m.userId,
      role: m.role,
      card: m.card,
      muteUntilMs: BigInt(m.muteUntilMs),
      joinedMs: BigInt(m.joinedMs),
      nickname: m.nickname,
    }),
  );
  return { result: { case: 'members', value: { members, total: group.memberCount } } };
}
