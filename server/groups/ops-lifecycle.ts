import { toBinary } from '@bufbuild/protobuf';
import { ErrorCode, MagpieError, pb } from '../../protocol';
import {
  checkName,
  checkText,
  checkUserIds,
  groupInfo,
  okResult,
  requireGroupSlots,
  requireManager,
  requireOwner,
  type GroupOp,
  type GroupResultInit,
} from './group-context';
import { CAPACITY_BY_TYPE, GROUP_LIMITS as L } from './group-limits';
import { RequestKind } from './group-store';
import type { GroupRecord } from './membership';

/**
 * CREATE: the caller owns the new group; listed members join at once, or get an invite to confirm.
 * A repeat of a create with the same request id (its answer was lost) answers the group the first
 * made, as it is now, whatever the repeat's other fields say: no second group, no notice.
 */
export function createGroup(op: GroupOp, body: pb.CreateGroup): GroupResultInit {
  const { ctx, appId, me } = op;
  const requestId = checkCreateRequestId(body.requestId);
  // before every other check: the group it made may have taken the caller's last group slot
  const made = requestId === undefined ? undefined : ctx.creates.groupOf(appId, me, requestId, ctx.clock.now());
  if (made !== undefined) return { result: { case: 'group', value: op.info(made) } };
  checkName(body.name, L.maxNameChars, 'name', false);
  checkText(body.announcement, L.maxAnnouncementChars, 'announcement');
  const capacity = CAPACITY_BY_TYPE[body.type];
  if (capacity === undefined) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `unknown group type ${String(body.type)}`);
  if (!(body.mode in pb.GroupMode)) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `unknown group mode ${String(body.mode)}`);
  const others = checkUserIds(body.members, L.maxUsersPerRequest).filter((user) => user !== me);
  if (others.length + 1 > capacity) throw new MagpieError(ErrorCode.GROUP_FULL, `a group of this type holds ${capacity} members`);
  // invitees who must confirm are counted when they accept
  requireGroupSlots(op, body.inviteConfirm ? [me] : [me, ...others]);
  const now = ctx.clock.now();
  const groupId = ctx.newGroupId();
  // first of the writes: on PostgreSQL a second node making the same create waits here for this one
  if (requestId !== undefined) ctx.creates.record(appId, me, requestId, groupId, now);
  ctx.store.insertGroup(appId, {
    groupId,
    name: body.name,
    owner: me,
    type: body.type,
    mode: body.mode,
    announcement: body.announcement,
    inviteConfirm: body.inviteConfirm,
    capacity,
    createdMs: now,
  });
  ctx.store.addMember(appId, groupId, me, pb.GroupRole.OWNER, now);
  for (const user of others) ctx.ensureUser(appId, user);
  const joined = body.inviteConfirm ? [] : others;
  for (const user of joined) ctx.store.addMember(appId, groupId, user, pb.GroupRole.MEMBER, now);
  const group = op.activeGroup(groupId);
  op.notify([me, ...joined], group, { kind: pb.NoticeKind.CREATE, targets: joined });
  if (body.inviteConfirm) {
    for (const user of others) {
      const requestId = ctx.store.createRequest(appId, groupId, RequestKind.INVITE, user, me, '', now);
      op.notify([user], group, { kind: pb.NoticeKind.INVITE_REQUEST, targets: [user], requestId });
    }
  }
  return { result: { case: 'group', value: op.info(groupId) } };
}

/** The create's request id; undefined when it has none (a client from before request ids). */
function checkCreateRequestId(id: Uint8Array): Uint8Array | undefined {
  if (id.length === 0) return undefined;
  if (id.length < L.minCreateRequestIdBytes || id.length > L.maxCreateRequestIdBytes) {
    throw new MagpieError(
      ErrorCode.INVALID_GROUP_ARGUMENT,
      `request_id must be empty or ${L.minCreateRequestIdBytes}-${L.maxCreateRequestIdBytes} bytes (16 recommended: the clock in ms in 6 bytes, then 10 random)`,
    );
  }
  return id;
}

/** MODIFY: name, announcement, mode, invite confirmation and mute all; owner or admin. */
export function modifyGroup(op: GroupOp, body: pb.ModifyGroup): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  requireManager(me);
  if (body.name !== undefined) checkName(body.name, L.maxNameChars, 'name', false);
  if (body.announcement !== undefined) checkText(body.announcement, L.maxAnnouncementChars, 'announcement');
  if (body.mode !== undefined && !(body.mode in pb.GroupMode)) {
    throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `unknown group mode ${String(body.mode)}`);
  }
  // invites and applications were made under the old mode's rules (a member may invite to a public
  // group, not to a private one): a new mode ends them, and the invitees or applicants ask again
  if (body.mode !== undefined && body.mode !== group.mode) op.ctx.store.dropAllPending(op.appId, group.groupId, op.ctx.clock.now());
  op.ctx.store.modify(op.appId, group.groupId, {
    name: body.name,
    announcement: body.announcement,
    mode: body.mode,
    inviteConfirm: body.inviteConfirm,
    muteAll: body.muteAll,
  });
  const after = op.activeGroup(group.groupId);
  const changed = changedFields(group, body);
  // members are told what changed; a change to nothing new is no news
  if (changed.length > 0) {
    op.notify(op.members(group.groupId), after, {
      kind: pb.NoticeKind.MODIFY,
      text: changed.includes(pb.GroupField.ANNOUNCEMENT) ? after.announcement : '',
      changed,
      mode: after.mode,
      inviteConfirm: after.inviteConfirm,
      muteAll: after.muteAll,
    });
  }
  return { result: { case: 'group', value: op.info(group.groupId) } };
}

/** The settings a MODIFY gives a value they did not have, in GroupField order. */
function changedFields(before: GroupRecord, body: pb.ModifyGroup): pb.GroupField[] {
  const changed: pb.GroupField[] = [];
  if (body.name !== undefined && body.name !== before.name) changed.push(pb.GroupField.NAME);
  if (body.announcement !== undefined && body.announcement !== before.announcement) changed.push(pb.GroupField.ANNOUNCEMENT);
  if (body.mode !== undefined && body.mode !== before.mode) changed.push(pb.GroupField.MODE);
  if (body.inviteConfirm !== undefined && body.inviteConfirm !== before.inviteConfirm) changed.push(pb.GroupField.INVITE_CONFIRM);
  if (body.muteAll !== undefined && body.muteAll !== before.muteAll) changed.push(pb.GroupField.MUTE_ALL);
  return changed;
}

/** DISMISS: the owner ends the group; every member is told, then the members are gone. */
export function dismissGroup(op: GroupOp, body: pb.GroupRef): GroupResultInit {
  const { group, me } = op.myMembership(body.groupId);
  requireOwner(me);
  op.notify(op.members(group.groupId), group, { kind: pb.NoticeKind.DISMISS });
  op.ctx.store.dismiss(op.appId, group.groupId, op.ctx.clock.now());
  return okResult;
}

/** INFO: anyone may see a public or approval group; a private one only its members. */
export function groupInfoOp(op: GroupOp, body: pb.GroupRef): GroupResultInit {
  const info = op.info(body.groupId);
  if (info.mode === pb.GroupMode.PRIVATE && info.myRole === pb.GroupRole.NONE) {
    throw new MagpieError(ErrorCode.NOT_GROUP_MEMBER, 'a private group shows itself to its members only');
  }
  return { result: { case: 'group', value: info } };
}

/** SEARCH: public and approval groups whose name holds the keyword, or whose id is the keyword. */
export function searchGroups(op: GroupOp, body: pb.SearchGroups): GroupResultInit {
  checkText(body.keyword, L.maxKeywordChars, 'keyword', false);
  const limit = Math.min(body.limit === 0 ? L.defaultSearchPage : body.limit, L.maxSearchPage);
  const { groups, total } = op.ctx.store.search(op.appId, body.keyword, body.offset, limit);
  return { result: { case: 'groups', value: { groups: fittingPage(op, groups), total } } };
}

/** LIST_MINE: the groups the caller is a member of, from `offset` on, as many as fit one answer. */
export function listMine(op: GroupOp, body: pb.ListMine): GroupResultInit {
  const groups = op.ctx.store.groupsOf(op.appId, op.me);
  return { result: { case: 'groups', value: { groups: fittingPage(op, groups.slice(body.offset)), total: groups.length } } };
}

/**
 * The groups as the caller sees them, in order, as many as fit GROUP_LIMITS.maxListPageBytes (at
 * least one): a list of long groups answered whole would pass the frame a client accepts, and its
 * connection would end at every try.
 */
function fittingPage(op: GroupOp, groups: readonly GroupRecord[]): pb.GroupInfo[] {
  const infos: pb.GroupInfo[] = [];
  let bytes = 0;
  for (const g of groups) {
    const info = groupInfo(g, op.ctx.membership.member(op.appId, g.groupId, op.me));
    // the encoded size, plus a field tag and a length prefix of at most 5 bytes
    bytes += toBinary(pb.GroupInfoSchema, info).length + 6;
    if (infos.length > 0 && bytes > L.maxListPageBytes) break;
    infos.push(info);
  }
  return infos;
}
