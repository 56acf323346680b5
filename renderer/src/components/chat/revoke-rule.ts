/**
 * Who may revoke a message, as the server decides it (server/chat/revoke.ts), so the menu offers
 * "Revoke" only when the server would take it:
 * - one's own sent message within the revoke window; in a group only while still a member of it
 *   (the server refuses a sender who left or was kicked with NOT_GROUP_MEMBER);
 * - in a group, at any age, by its hierarchy (as a kick): the owner any message; an admin a plain
 *   member's, a former member's and their own, never the owner's or another admin's.
 * What the page does not know is not offered: a group not yet known, or, for an admin, another's
 * message while the member list (which says who is an admin) has not come. A dismissed group has
 * no members, so no one may revoke in it any more.
 */
import type { GroupRoleName, MemberView, MessageView } from '../../../../preload/api';

export interface RevokeContext {
  /** The server's revoke window, as its login told (revokeWindowMs, 2 minutes by default). */
  readonly revokeWindowMs: number;
  /** My role in the message's group; undefined for a one-to-one message or a group not known. */
  readonly myRole?: GroupRoleName;
  readonly groupDismissed?: boolean;
  /** The group's owner (GroupView.owner). */
  readonly groupOwner?: string;
  /** The group's members as last loaded; undefined while not loaded. */
  readonly members?: readonly MemberView[];
  /** The server's time now, as the page reckons it (the session's serverNow): never the page's clock alone. */
  readonly nowMs: number;
}

/** The first moment (server time) at which the sender's revoke window of a message is closed: its edge is still in it. */
export function revokeWindowClosesMs(message: Pick<MessageView, 'timeMs'>, revokeWindowMs: number): number {
  return message.timeMs + revokeWindowMs + 1;
}

export function mayRevoke(message: MessageView, context: RevokeContext): boolean {
  if (message.kind === 'notice' || message.revoked || message.burned || message.msgId === undefined) return false;
  // one's own, only once the server has it
  if (message.outgoing && message.state !== 'sent' && message.state !== 'read') return false;
  const withinWindow = context.nowMs < revokeWindowClosesMs(message, context.revokeWindowMs);
  if (message.conversationKind !== 'group') return message.outgoing && withinWindow;
  const { myRole } = context;
  // out of the group (or not knowing whether in it): no act in it, one's own message included
  if (myRole === undefined || myRole === 'none' || context.groupDismissed === true) return false;
  if (message.outgoing) return withinWindow || myRole === 'owner' || myRole === 'admin';
  if (myRole === 'owner') return true;
  if (myRole !== 'admin') return false;
  return ranksBelowAdmin(message.from, context);
}

/**
 * The sender is a plain member or no longer in the group (so below an admin). Not known while the
 * member list has not come: a live group has at least its owner, so an empty list is none loaded.
 */
function ranksBelowAdmin(sender: string, context: RevokeContext): boolean {
  if (sender === context.groupOwner || context.members === undefined || context.members.length === 0) return false;
  const role = context.members.find((m) => m.userId === sender)?.role ?? 'none';
  return role === 'member' || role === 'none';
}
