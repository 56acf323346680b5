import { bodyFrame, ErrorCode, MagpieError, pb } from '../../protocol';
import type { Handler } from '../handler-types';
import type { ChatContext } from './chat-context';

/**
 * READERS_QUERY: who has and has not read a group message, among the members who were in the
 * group when it was sent. Asked by the sender or by an owner or admin, while a member.
 */
export function createReadersHandler(ctx: ChatContext): Handler<'READERS_QUERY'> {
  return ({ caller, body }) => {
    const { appId } = caller;
    const message = ctx.messages.byId(appId, Number(body.msgId));
    if (message === undefined) throw new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no message ${String(body.msgId)}`);
    if (!message.isGroup) throw new MagpieError(ErrorCode.INVALID_MESSAGE, 'who-read is for group messages; 1:1 has read receipts');
    // members only, the sender too: who reads the group is no business of someone who left it
    const me = ctx.membership.requireMember(appId, message.target, caller.userId);
    if (message.sender !== caller.userId) {
      if (me.role < pb.GroupRole.ADMIN) {
        throw new MagpieError(ErrorCode.NOT_GROUP_ADMIN, 'only the sender or an owner or admin may ask who read a message');
      }
    }
    const read: string[] = [];
    const unread: string[] = [];
    for (const state of ctx.readMarks.groupMembersReadState(appId, message.target, message.timeMs)) {
      if (state.userId === message.sender) continue;
      (state.upToMsgId >= message.msgId ? read : unread).push(state.userId);
    }
    return bodyFrame('READERS', { msgId: BigInt(message.msgId), read, unread });
  };
}
