import { create, toBinary } from '@bufbuild/protobuf';
import { bodyFrame, ErrorCode, humanDuration, MagpieError, pb } from '../../protocol';
import type { Caller, Handler } from '../handler-types';
import { pushAppended } from '../sync/push';
import type { TimelinePush } from '../timeline';
import { revokeInTimeline } from '../timeline/timeline-revoke';
import { legacyCopier } from './send';
import { outranks } from '../groups/membership';
import type { ChatContext } from './chat-context';
import type { StoredMessage } from './message-store';

/**
 * REVOKE: the sender within the revoke window (in a group, only while still a member of it), or,
 * at any time, a manager of the message's group whose rank is above the sender's (the owner any
 * message, an admin a plain member's or a former member's) or who sent it. The content is dropped
 * and a Revoked entry reaches every party's inbox.
 */
export function createRevokeHandler(ctx: ChatContext): Handler<'REVOKE'> {
  return ({ caller, body }) => {
    const { appId } = caller;
    const message = ctx.messages.byId(appId, Number(body.msgId));
    if (message === undefined) throw new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no message ${String(body.msgId)}`);
    // a revoke again (a retry whose answer was lost) is OK past the window too, but only for whom
    // could revoke it: anyone else is refused as before the revoke
    checkMayRevoke(ctx, caller, message, message.revokedMs !== null);
    if (message.revokedMs !== null) return bodyFrame('OK', {});
    const timeMs = ctx.clock.now();
    let timeline: TimelinePush | undefined;
    const appended = ctx.db.transaction(() => {
      ctx.messages.markRevoked(message.msgId, timeMs, shellOf(message));
      const revoked = (conversation: string): pb.Revoked =>
        create(pb.RevokedSchema, { msgId: BigInt(message.msgId), by: caller.userId, conversation, timeMs: BigInt(timeMs) });
      if (message.isGroup) {
        const read = revokeInTimeline(ctx, appId, message.target, message.sender, revoked(message.target));
        if (read !== undefined) {
          timeline = read.push;
          return read.appended;
        }
        const parties = new Set(ctx.membership.memberIds(appId, message.target));
        parties.add(message.sender);
        return ctx.inbox.append(appId, [...parties], { case: 'revoked', value: revoked(message.target) });
      }
      return [
        ...ctx.inbox.append(appId, [message.sender], { case: 'revoked', value: revoked(message.target) }),
        ...(message.target === message.sender
          ? []
          : ctx.inbox.append(appId, [message.target], { case: 'revoked', value: revoked(message.sender) })),
      ];
    })();
    pushAppended(ctx.delivery, appId, appended);
    if (timeline !== undefined) ctx.timelines?.fanout.push(appId, timeline, legacyCopier(ctx, appId));
    return bodyFrame('OK', {});
  };
}

function checkMayRevoke(ctx: ChatContext, caller: Caller, message: StoredMessage, revoked: boolean): void {
  const isSender = message.sender === caller.userId;
  const withinWindow = revoked || ctx.clock.now() - message.timeMs <= ctx.revokeWindowMs;
  if (!message.isGroup) {
    if (isSender && withinWindow) return;
    if (isSender) throw windowPassed(ctx);
    throw new MagpieError(ErrorCode.NOT_ALLOWED, 'only its sender may revoke a one-to-one message');
  }
  const me = ctx.membership.member(caller.appId, message.target, caller.userId);
  // out of the group (left, kicked, dismissed), its sender no longer acts in it, even in the window
  if (isSender && me === undefined) throw new MagpieError(ErrorCode.NOT_GROUP_MEMBER, `you are not a member of ${message.target} any more`);
  if (isSender && withinWindow) return;
  if (me !== undefined && me.role >= pb.GroupRole.ADMIN) {
    // a manager's own message at any age; another's by the group's hierarchy, as a kick
    if (isSender) return;
    const sender = ctx.membership.member(caller.appId, message.target, message.sender);
    if (outranks(me.role, sender?.role ?? pb.GroupRole.NONE)) return;
    throw new MagpieError(ErrorCode.NOT_GROUP_OWNER, "only the owner may revoke an admin's or the owner's message");
  }
  if (isSender) throw windowPassed(ctx);
  throw new MagpieError(ErrorCode.NOT_ALLOWED, 'only the sender, or an owner or admin of the group, may revoke a message');
}

function windowPassed(ctx: ChatContext): MagpieError {
  return new MagpieError(ErrorCode.REVOKE_WINDOW_PASSED, `a message can be revoked for ${humanDuration(ctx.revokeWindowMs)} after it was sent`);
}

/** What stays of a revoked or burned message: its type and flags, no content. */
export function shellOf(message: StoredMessage): Uint8Array {
  return toBinary(pb.MessageSchema, create(pb.MessageSchema, { type: message.type as pb.MessageType, burnAfterReading: message.burn }));
}
