import type { pb } from '../../protocol';
import type { ChatContext } from '../chat/chat-context';
import type { Appended } from '../sync/inbox';
import type { TimelinePush } from './timeline-delivery';

/**
 * A revoke in a read-diffused group, inside its transaction: one Revoked entry in the group's
 * timeline for every member, and one in the sender's inbox when the sender has left the group.
 * Returns undefined for a write-diffused group.
 */
export function revokeInTimeline(
  ctx: ChatContext,
  appId: string,
  groupId: string,
  sender: string,
  revoked: pb.Revoked,
): { appended: Appended[]; push: TimelinePush } | undefined {
  const store = ctx.timelines?.store;
  if (store === undefined || !store.has(appId, groupId)) return undefined;
  const entry = store.appendRevoked(appId, groupId, revoked);
  const readers = ctx.membership.memberIds(appId, groupId);
  const appended = readers.includes(sender) ? [] : ctx.inbox.append(appId, [sender], { case: 'revoked', value: revoked });
  return { appended, push: { entry, readers } };
}
