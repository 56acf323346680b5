import { create } from '@bufbuild/protobuf';
import { bodyFrame, ErrorCode, isGroupId, isValidUserId, MagpieError, pb } from '../../protocol';
import type { Caller, Handler } from '../handler-types';
import type { Appended } from '../sync/inbox';
import { pushAppended } from '../sync/push';
import type { ChatContext } from './chat-context';
import { shellOf } from './revoke';

/**
 * READ: the caller has read a conversation up to a message. The mark only moves forward. In 1:1
 * the peer gets a ReadReceipt and every burn-after-reading message the read covers is burned on
 * both sides; in a group the mark feeds READERS_QUERY. The reader's own other devices get a
 * ReadReceipt too, so their unread counts follow.
 */
export function createReadHandler(ctx: ChatContext): Handler<'READ'> {
  return ({ caller, body }) => {
    const { appId, userId: reader } = caller;
    const conversation = body.conversation;
    const toGroup = checkConversation(ctx, caller, conversation);
    if (body.upToMsgId === 0n) throw new MagpieError(ErrorCode.INVALID_MESSAGE, 'up_to_msg_id must name a message');
    const upTo = checkReadMessage(ctx, caller, conversation, toGroup, body.upToMsgId);
    const timeMs = ctx.clock.now();
    const appended = ctx.db.transaction((): Appended[] => {
      if (!ctx.readMarks.advance(appId, reader, conversation, upTo, timeMs)) return [];
      const receipt = (reader_: string, conv: string): pb.ReadReceipt =>
        create(pb.ReadReceiptSchema, { reader: reader_, conversation: conv, upToMsgId: BigInt(upTo), timeMs: BigInt(timeMs) });
      const out = ctx.inbox.append(appId, [reader], { case: 'read', value: receipt(reader, conversation) });
      if (toGroup || conversation === reader) return out;
      out.push(...ctx.inbox.append(appId, [conversation], { case: 'read', value: receipt(reader, reader) }));
      for (const msgId of ctx.messages.pendingBurns(appId, conversation, reader, upTo)) {
        const message = ctx.messages.byId(appId, msgId)!;
        ctx.messages.markBurned(msgId, timeMs, shellOf(message));
        const burned = (conv: string): pb.Burned => create(pb.BurnedSchema, { msgId: BigInt(msgId), conversation: conv });
        out.push(...ctx.inbox.append(appId, [reader], { case: 'burned', value: burned(conversation) }));
        out.push(...ctx.inbox.append(appId, [conversation], { case: 'burned', value: burned(reader) }));
      }
      return out;
    })();
    pushAppended(ctx.delivery, appId, appended);
    return bodyFrame('OK', {});
  };
}

/**
 * The mark is a message of this conversation, so only its parties may move it (a stranger
 * pushing receipts into someone's inbox is refused) and the receipt tells the peer nothing but
 * an id the peer already has.
 */
function checkReadMessage(ctx: ChatContext, caller: Caller, conversation: string, toGroup: boolean, upToMsgId: bigint): number {
  const message = upToMsgId > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : ctx.messages.byId(caller.appId, Number(upToMsgId));
  const me = caller.userId;
  // one answer for a foreign message and for none: which ids exist is no stranger's business
  const inConversation =
    message !== undefined &&
    (toGroup
      ? message.isGroup && message.target === conversation
      : !message.isGroup &&
        ((message.sender === conversation && message.target === me) || (message.sender === me && message.target === conversation)));
  if (!inConversation) {
    throw new MagpieError(ErrorCode.NOT_IN_CONVERSATION, `message ${String(upToMsgId)} is not in your conversation with ${conversation}`);
  }
  return message.msgId;
}

function checkConversation(ctx: ChatContext, caller: Caller, conversation: string): boolean {
  if (isGroupId(conversation)) {
    ctx.membership.requireActiveGroup(caller.appId, conversation);
    ctx.membership.requireMember(caller.appId, conversation, caller.userId);
    return true;
  }
  if (!isValidUserId(conversation)) throw new MagpieError(ErrorCode.INVALID_USER_ID, `"${conversation}" is not a conversation`);
  return false;
}
