import { ErrorCode, MagpieError, pb } from '../../protocol';
import type { ClientStore, StoredNotice } from '../store';

/** Notices that answer a request by its id, whoever answered it (another admin, the invitee elsewhere). */
const ANSWERS = new Set([pb.NoticeKind.APPROVE, pb.NoticeKind.REJECT, pb.NoticeKind.JOIN, pb.NoticeKind.DECLINE]);
/** Notices that make their targets members: any request of theirs to the group is over. */
const ADMITS = new Set([pb.NoticeKind.APPROVE, pb.NoticeKind.JOIN, pb.NoticeKind.INVITE, pb.NoticeKind.CREATE]);
const WAITING = new Set([pb.NoticeKind.APPLY, pb.NoticeKind.INVITE_REQUEST]);

/**
 * Answers the server gives to approve, reject, accept or decline once the request no longer
 * waits: already answered (by another admin, or dropped when its user joined), the group
 * dismissed, or its user already a member. The entry is stale, not the user's mistake.
 */
export const STALE_REQUEST_CODES: ReadonlySet<number> = new Set([
  ErrorCode.REQUEST_NOT_FOUND,
  ErrorCode.GROUP_DISMISSED,
  ErrorCode.GROUP_NOT_FOUND,
  ErrorCode.ALREADY_IN_GROUP,
]);

export function isStaleRequestError(error: unknown): boolean {
  return error instanceof MagpieError && STALE_REQUEST_CODES.has(error.code);
}

/** Whose request it is: the applicant, or the invitee. */
function requester(notice: StoredNotice): string {
  return notice.targets[0] ?? notice.actor;
}

/**
 * Applications to groups I manage and invites to me that still wait for an answer, newest first.
 * Decided from everything the store knows, not only from what this device answered: a request
 * is over once any notice answers its id (another admin approved or rejected it), its user
 * joined the group by any way, or the group was dismissed; an application also waits only while
 * I may still answer it (owner or admin). Read at each call, so a restart or reload agrees.
 */
export function pendingRequests(store: ClientStore, selfId: string, limit = 500): StoredNotice[] {
  const notices = store.notices.list(limit);
  const byGroup = new Map<string, StoredNotice[]>();
  const groupNotices = (groupId: string): StoredNotice[] => {
    let list = byGroup.get(groupId);
    if (list === undefined) {
      list = store.notices.listForGroup(groupId, limit);
      byGroup.set(groupId, list);
    }
    return list;
  };
  return notices.filter((notice) => {
    if (!WAITING.has(notice.kind) || notice.handled) return false;
    const group = store.groups.getGroup(notice.groupId);
    if (group?.dismissed) return false;
    const user = requester(notice);
    if (notice.kind === pb.NoticeKind.APPLY) {
      if (group !== undefined && group.myRole !== pb.GroupRole.OWNER && group.myRole !== pb.GroupRole.ADMIN) return false;
      if (store.groups.getMember(notice.groupId, user) !== undefined) return false;
    } else if (user === selfId && group !== undefined && group.myRole !== pb.GroupRole.NONE) {
      return false;
    }
    return !groupNotices(notice.groupId).some(
      (later) =>
        later.seq !== notice.seq &&
        ((ANSWERS.has(later.kind) && later.requestId === notice.requestId && notice.requestId !== 0) ||
          (later.seq > notice.seq && ADMITS.has(later.kind) && later.targets.includes(user))) ||
        (later.kind === pb.NoticeKind.DISMISS),
    );
  });
}
