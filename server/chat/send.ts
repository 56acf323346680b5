import { create, toBinary } from '@bufbuild/protobuf';
import { bodyFrame, ErrorCode, isGroupId, isValidUserId, MagpieError, pb, type Frame } from '../../protocol';
import type { Caller, Handler } from '../handler-types';
import type { Appended } from '../sync/inbox';
import { pushAppended } from '../sync/push';
import type { ChatContext } from './chat-context';
import { checkClientMsgId, validatedContent } from './validate-send';

/**
 * SEND: check the rights and the content, store the message and every inbox entry in one
 * transaction, answer SENT, then push to every online session of every recipient and to the
 * sender's other sessions. A resend with the same client id answers the first SENT again.
 */
export function createSendHandler(ctx: ChatContext): Handler<'SEND'> {
  return ({ caller, body }) => {
    checkClientMsgId(body.clientMsgId);
    const { appId, userId: sender } = caller;
    const earlier = ctx.messages.byClientId(appId, sender, body.clientMsgId);
    if (earlier !== undefined) {
      return sentFrame(body.clientMsgId, earlier.msgId, earlier.timeMs, earlier.senderSeq);
    }
    const toGroup = checkRecipient(body.to);
    const content = validatedContent(body, toGroup);
    const recipients = toGroup ? groupRecipients(ctx, caller, body) : oneToOneRecipients(body.to, sender);
    const timeMs = ctx.clock.now();
    if (content.custom?.transient === true) {
      deliverTransient(ctx, caller, body.to, recipients, content, timeMs);
      return sentFrame(body.clientMsgId, 0, timeMs, 0);
    }

    // committed on its own, before the message: a recipient row without a message is harmless
    if (!toGroup) ctx.ensureUser(appId, body.to);
    const { msgId, senderSeq, appended } = ctx.db.transaction(() => {
      const id = ctx.messages.insert({
        appId,
        sender,
        target: body.to,
        isGroup: toGroup,
        type: content.type,
        content: toBinary(pb.MessageSchema, content),
        clientMsgId: body.clientMsgId,
        timeMs,
        burn: content.burnAfterReading,
      });
      const message = create(pb.MessageSchema, { ...content, msgId: BigInt(id), from: sender, to: body.to, timeMs: BigInt(timeMs) });
      const ownCopy = create(pb.MessageSchema, { ...message, clientMsgId: body.clientMsgId });
      const toOthers = ctx.inbox.append(appId, recipients, { case: 'message', message, own: false });
      const toSelf = ctx.inbox.append(appId, [sender], { case: 'message', message: ownCopy, own: true });
      const seq = Number(toSelf[0]!.entry.seq);
      ctx.messages.setSenderSeq(id, seq);
      return { msgId: id, senderSeq: seq, appended: [...toOthers, ...toSelf] as Appended[] };
    })();

    pushAppended(ctx.delivery, appId, appended, { userId: sender, sessionId: caller.sessionId });
    return sentFrame(body.clientMsgId, msgId, timeMs, senderSeq);
  };
}

/** Whether the recipient is a group; an invalid user id is refused. */
function checkRecipient(to: string): boolean {
  if (isGroupId(to)) return true;
  if (to.length === 0) throw new MagpieError(ErrorCode.RECIPIENT_NOT_FOUND, 'a message needs a recipient');
  if (!isValidUserId(to)) throw new MagpieError(ErrorCode.INVALID_USER_ID, `"${to}" is neither a user id nor a group id`);
  return false;
}

function oneToOneRecipients(to: string, sender: string): string[] {
  // a note to oneself lands once, as the sender's own copy
  return to === sender ? [] : [to];
}

function groupRecipients(ctx: ChatContext, caller: Caller, send: pb.Send): string[] {
  const { appId, userId } = caller;
  ctx.membership.requireActiveGroup(appId, send.to);
  const me = ctx.membership.requireMember(appId, send.to, userId);
  if (me.muteUntilMs > ctx.clock.now()) {
    throw new MagpieError(ErrorCode.SELF_MUTED, `you are muted in ${send.to} until ${new Date(me.muteUntilMs).toISOString()}`);
  }
  if (send.mentionAll && me.role < pb.GroupRole.ADMIN) {
    throw new MagpieError(ErrorCode.NOT_GROUP_ADMIN, 'only the owner and admins may mention everyone');
  }
  for (const mentioned of send.mentions) {
    if (ctx.membership.member(appId, send.to, mentioned) === undefined) {
      throw new MagpieError(ErrorCode.INVALID_MESSAGE, `${mentioned} is not a member of ${send.to}`);
    }
  }
  return ctx.membership.memberIds(appId, send.to).filter((member) => member !== userId);
}

/** Transient custom messages reach online sessions only, with seq 0, and are never stored. */
function deliverTransient(ctx: ChatContext, caller: Caller, to: string, recipients: readonly string[], content: pb.Message, timeMs: number): void {
  const message = create(pb.MessageSchema, { ...content, from: caller.userId, to, timeMs: BigInt(timeMs) });
  const frame = bodyFrame('PUSH', { seq: 0n, item: { case: 'message', value: message } });
  for (const user of recipients) ctx.delivery.toUser(caller.appId, user, frame);
  ctx.delivery.toUser(caller.appId, caller.userId, frame, caller.sessionId);
}

function sentFrame(clientMsgId: Uint8Array, msgId: number, timeMs: number, seq: number): Frame {
  return bodyFrame('SENT', { clientMsgId, msgId: BigInt(msgId), timeMs: BigInt(timeMs), seq: BigInt(seq) });
}
