import { ErrorCode, MagpieError, pb } from '../../protocol';
import {
  checkText,
  checkUserIds,
  okResult,
  requireGroupSlots,
  requireManager,
  requireRequest,
  type GroupOp,
  type GroupResultInit,
} from './group-context';
import { GROUP_LIMITS as L } from './group-limits';
import { RequestKind, RequestState } from './group-store';
import type { GroupRecord } from './membership';

function requireNotMember(op: GroupOp, groupId: string, userId: string): void {
  if (op.ctx.membership.member(op.appId, groupId, userId) !== undefined) {
    throw new MagpieError(ErrorCode.ALREADY_IN_GROUP, `${userId} is already in ${groupId}`);
  }
}

function requireRoom(group: GroupRecord, adding: number): void {
  if (group.memberCount + adding > group.capacity) {
    throw new MagpieError(ErrorCode.GROUP_FULL, `${group.groupId} holds at most ${group.capacity} members`);
  }
}

/** Adds a member and drops the user's other pending applications and invites of the group. */
function admit(op: GroupOp, groupId: string, userId: string): void {
  requireGroupSlots(op, [userId]);
  const now = op.ctx.clock.now();
  op.ctx.store.addMember(op.appId, groupId, userId, pb.GroupRole.MEMBER, now);
  op.ctx.store.dropPending(op.appId, groupId, userId, now);
}

/** JOIN: public groups only; everyone in the group is told. */
export function joinGroup(op: GroupOp, body: pb.GroupRef): GroupResultInit {
  const group = op.activeGroup(body.groupId);
  requireNotMember(op, group.groupId, op.me);
  if (group.mode === pb.GroupMode.APPROVAL) throw new MagpieError(ErrorCode.GROUP_NEEDS_APPROVAL, 'this group approves each application: apply');
  if (group.mode === pb.GroupMode.PRIVATE) throw new MagpieError(ErrorCode.GROUP_PRIVATE, 'this group is invite only');
  requireRoom(group, 1);
  admit(op, group.groupId, op.me);
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.JOIN, targets: [op.me] });
  return { result: { case: 'group', value: op.info(group.groupId) } };
}

/** APPLY: joins a public group at once; in an approval group the owner and admins decide. */
export function applyToGroup(op: GroupOp, body: pb.ApplyGroup): GroupResultInit {
  const group = op.activeGroup(body.groupId);
  requireNotMember(op, group.groupId, op.me);
  checkText(body.reason, L.maxReasonChars, 'reason');
  if (group.mode === pb.GroupMode.PUBLIC) return joinGroup(op, { $typeName: 'magpie.v1.GroupRef', groupId: group.groupId });
  if (group.mode === pb.GroupMode.PRIVATE) throw new MagpieError(ErrorCode.GROUP_PRIVATE, 'this group is invite only');
  requireRoom(group, 1);
  const earlier = op.ctx.store.pendingRequest(op.appId, group.groupId, op.me, RequestKind.APPLY);
  if (earlier !== undefined) return { result: { case: 'pending', value: { requestId: BigInt(earlier.requestId) } } };
  const requestId = op.ctx.store.createRequest(op.appId, group.groupId, RequestKind.APPLY, op.me, op.me, body.reason, op.ctx.clock.now());
  op.notify(op.ctx.membership.managerIds(op.appId, group.groupId), group, {
    kind: pb.NoticeKind.APPLY,
    targets: [op.me],
    text: body.reason,
    requestId,
  });
  return { result: { case: 'pending', value: { requestId: BigInt(requestId) } } };
}

/** APPROVE or REJECT an application; owner or admin. */
export function decideApplication(op: GroupOp, body: pb.Decide, approve: boolean): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  requireManager(me);
  checkText(body.reason, L.maxReasonChars, 'reason');
  const request = op.ctx.store.request(op.appId, Number(body.requestId));
  requireRequest(request, group.groupId);
  if (request!.kind !== RequestKind.APPLY) throw new MagpieError(ErrorCode.REQUEST_NOT_FOUND, 'that request is not an application');
  const applicant = request!.userId;
  const now = op.ctx.clock.now();
  if (!approve) {
    op.ctx.store.decideRequest(request!.requestId, RequestState.REFUSED, op.me, now);
    const told = [applicant, ...op.ctx.membership.managerIds(op.appId, group.groupId)];
    op.notify(told, group, { kind: pb.NoticeKind.REJECT, targets: [applicant], text: body.reason, requestId: request!.requestId });
    return okResult;
  }
  requireNotMember(op, group.groupId, applicant);
  requireRoom(group, 1);
  op.ctx.store.decideRequest(request!.requestId, RequestState.ACCEPTED, op.me, now);
  admit(op, group.groupId, applicant);
  op.notify(op.members(group.groupId), group, {
    kind: pb.NoticeKind.APPROVE,
    targets: [applicant],
    text: body.reason,
    requestId: request!.requestId,
  });
  return okResult;
}

/**
 * INVITE: owners and admins in any group, members in public groups. Where the group asks for
 * confirmation each invitee gets an INVITE_REQUEST to accept or decline; otherwise they join.
 */
export function inviteToGroup(op: GroupOp, body: pb.GroupUsers): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  if (group.mode !== pb.GroupMode.PUBLIC) requireManager(me);
  checkText(body.reason, L.maxReasonChars, 'reason');
  const named = checkUserIds(body.users, L.maxUsersPerRequest);
  const isMember = (user: string) => op.ctx.membership.member(op.appId, group.groupId, user) !== undefined;
  // members named are left out: the answer says who they were, the notice names only the new
  const alreadyMembers = named.filter(isMember);
  const invitees = named.filter((user) => !isMember(user));
  if (invitees.length === 0) throw new MagpieError(ErrorCode.ALREADY_IN_GROUP, 'everyone named is already in the group');
  const reached = { invited: invitees, alreadyMembers };
  requireRoom(group, invitees.length);
  for (const user of invitees) op.ctx.ensureUser(op.appId, user);
  const now = op.ctx.clock.now();
  if (group.inviteConfirm) {
    let first: number | undefined;
    for (const user of invitees) {
      const earlier = op.ctx.store.pendingRequest(op.appId, group.groupId, user, RequestKind.INVITE);
      const requestId = earlier?.requestId ?? op.ctx.store.createRequest(op.appId, group.groupId, RequestKind.INVITE, user, op.me, body.reason, now);
      first ??= requestId;
      if (earlier === undefined) {
        op.notify([user], group, { kind: pb.NoticeKind.INVITE_REQUEST, targets: [user], text: body.reason, requestId });
      }
    }
    return { result: { case: 'pending', value: { requestId: BigInt(first!) } }, ...reached };
  }
  for (const user of invitees) admit(op, group.groupId, user);
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.INVITE, targets: invitees, text: body.reason });
  return { result: { case: 'group', value: op.info(group.groupId) }, ...reached };
}

/**
 * An invite admits only while its inviter could still send it: a member of the group, and a
 * manager unless the group is public. Leaving, a kick, a demotion or a mode change ends it.
 */
function requireInviterStillEntitled(op: GroupOp, group: GroupRecord, inviter: string): void {
  const member = op.ctx.membership.member(op.appId, group.groupId, inviter);
  if (member === undefined || (group.mode !== pb.GroupMode.PUBLIC && member.role < pb.GroupRole.ADMIN)) {
    throw new MagpieError(ErrorCode.REQUEST_NOT_FOUND, 'this invite is no longer valid: its inviter may no longer invite to this group');
  }
}

/** ACCEPT_INVITE or DECLINE_INVITE: the invitee answers an invite waiting for them. */
export function answerInvite(op: GroupOp, body: pb.Decide, accept: boolean): GroupResultInit {
  const group = op.activeGroup(body.groupId);
  const request = op.ctx.store.request(op.appId, Number(body.requestId));
  requireRequest(request, group.groupId);
  if (request!.kind !== RequestKind.INVITE || request!.userId !== op.me) {
    throw new MagpieError(ErrorCode.REQUEST_NOT_FOUND, 'no invite waiting for you with that id');
  }
  checkText(body.reason, L.maxReasonChars, 'reason');
  const now = op.ctx.clock.now();
  if (!accept) {
    op.ctx.store.decideRequest(request!.requestId, RequestState.REFUSED, op.me, now);
    op.notify([request!.actor, op.me], group, {
      kind: pb.NoticeKind.DECLINE,
      targets: [op.me],
      text: body.reason,
      requestId: request!.requestId,
    });
    return okResult;
  }
  requireNotMember(op, group.groupId, op.me);
  requireInviterStillEntitled(op, group, request!.actor);
  requireRoom(group, 1);
  op.ctx.store.decideRequest(request!.requestId, RequestState.ACCEPTED, op.me, now);
  admit(op, group.groupId, op.me);
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.JOIN, targets: [op.me], requestId: request!.requestId });
  return { result: { case: 'group', value: op.info(group.groupId) } };
}
