/**
 * Who may revoke a message, as the server decides it (server/chat/revoke.ts), so the menu offers
 * "Revoke" exactly when the server would take it: the sender within the revoke window, and an
 * owner or admin of the message's group any message of it at any time (their own past the window
 * too). A dismissed group has no members, so no one manages it any more.
 */
import type { GroupRoleName, MessageView } from '../../../../preload/api';

/** The server's revoke window (revokeWindowMs, 2 minutes by default; docs/client.md `revoke`). */
export const REVOKE_WINDOW_MS = 120_000;

export interface RevokeContext {
  /** My role in the message's group; undefined for a one-to-one message or a group not known. */
  readonly myRole?: GroupRoleName;
  readonly groupDismissed?: boolean;
  readonly nowMs: number;
}

export function mayRevoke(message: MessageView, context: RevokeContext): boolean {
  if (message.kind === 'notice' || message.revoked || message.burned || message.msgId === undefined) return false;
  // one's own, only once the server has it
  if (message.outgoing && message.state !== 'sent' && message.state !== 'read') return false;
  if (message.outgoing && context.nowMs - message.timeMs <= REVOKE_WINDOW_MS) return true;
  const manager = context.myRole === 'owner' || context.myRole === 'admin';
  return message.conversationKind === 'group' && manager && context.groupDismissed !== true;
}
