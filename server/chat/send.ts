import { create, toBinary } from '@bufbuild/protobuf';
import { bodyFrame, encodeSent, ErrorCode, FrameType, isGroupId, isValidUserId, MagpieError, pb, SYSTEM_USER_ID, type Frame } from '../../protocol';
import type { Caller, Handler } from '../handler-types';
import type { Appended } from '../sync/inbox';
import { pushAppended } from '../sync/push';
import type { TimelinePush } from '../timeline';
import { storeInTimeline } from '../timeline/timeline-send';
import { copyTimelinesForMembers } from '../timeline/timeline-legacy';
import type { ChatContext } from './chat-context';
import { checkMediaReference, recordMediaReference } from './media-reference';
import { validatedContent } from './validate-send';

/** What a stored message costs besides its content: the row, its indexes, the sender's inbox row. */
const STORED_ROW_OVERHEAD_BYTES = 128;

/**
 * SEND: check the rights and the content, store the message and every inbox entry, answer SENT,
 * then push to every online session of every recipient and to the sender's other sessions. The
 * store runs in the turn's shared transaction (group commit, `ctx.writes`): SENT and the pushes
 * leave only after it is committed. A resend with the same client id answers the first SENT again.
 */
export function createSendHandler(ctx: ChatContext): Handler<'SEND'> {
  return ({ caller, body }) => {
    const toGroup = checkRecipient(body.to);
    const validated = validatedContent(body, toGroup);
    const { content } = validated;
    // the file service puts what it measured (size, type, sha256, sides) in place of the claims
    const encoded = checkMediaReference(ctx.media, caller, content) ? toBinary(pb.MessageSchema, content) : validated.encoded;
    // refused before the batch when it can be: a SEND that fails inside makes the batch run twice
    // (the check inside still decides; a resend of a stored message is answered, not refused)
    if (toGroup) checkMayPostUnlessStored(ctx, caller, body);
    const charged = content.custom?.transient === true ? 0 : takeBudgetUnlessStored(ctx, caller, body, encoded.length);
    // committed on its own, before the message: a recipient row without a message is harmless;
    // a transient message is never stored, so its recipient is not recorded either
    if (!toGroup && content.custom?.transient !== true) ctx.ensureUser(caller.appId, body.to);
    return ctx.writes.run(
      () => store(ctx, caller, body, toGroup, content, encoded),
      (outcome) => {
        // a resend stored nothing: what it was charged goes back, or an outbox resending across
        // cut connections would pay for one message many times
        if (outcome.case === 'earlier' && charged > 0) ctx.contentBudget.refund(budgetKey(caller), charged);
        return deliver(ctx, caller, body, outcome);
      },
    );
  };
}

type SendOutcome =
  | { readonly case: 'earlier'; readonly sent: Frame }
  | { readonly case: 'transient'; readonly recipients: readonly string[]; readonly content: pb.Message; readonly timeMs: number }
  | {
      readonly case: 'stored';
      readonly msgId: number;
      readonly timeMs: number;
      /** The sender's own copy: its seq is the sender's seq (final only after the batch's flush, on PostgreSQL). */
      readonly own: Appended;
      readonly appended: Appended[];
      /** A read-diffused group's message: one timeline entry for every member. */
      readonly timeline?: TimelinePush;
    };

/** Runs inside the write batch's transaction; should it throw, it alone is rolled back (see WriteBatch). */
function store(ctx: ChatContext, caller: Caller, body: pb.Send, toGroup: boolean, content: pb.Message, encoded: Uint8Array): SendOutcome {
  const { appId, userId: sender } = caller;
  // checked here, not before: a resend in the same batch must see the first one's row
  const earlier = ctx.messages.byClientId(appId, sender, body.clientMsgId);
  if (earlier !== undefined) {
    // a large group's message says its timeline seq again, so the client applies it without a pull
    const timelineSeq = earlier.isGroup ? (ctx.timelines?.store.seqOfMessage(appId, earlier.target, earlier.msgId) ?? 0) : 0;
    return { case: 'earlier', sent: sentFrame(earlier.msgId, earlier.timeMs, earlier.senderSeq, timelineSeq) };
  }
  const recipients = toGroup ? groupRecipients(ctx, caller, body) : oneToOneRecipients(body.to, sender);
  const timeMs = ctx.clock.now();
  if (content.custom?.transient === true) return { case: 'transient', recipients, content, timeMs };

  // the sender's own seq first, so the message row is written once, with it (on PostgreSQL a seq
  // counted within the batch, which the message store settles when it writes the row)
  const senderSeq = ctx.inbox.reserveSeq(appId, sender);
  const msgId = ctx.messages.insert({
    appId,
    sender,
    target: body.to,
    isGroup: toGroup,
    type: content.type,
    content: encoded,
    clientMsgId: body.clientMsgId,
    timeMs,
    senderSeq,
    burn: content.burnAfterReading,
  });
  recordMediaReference(ctx.media, appId, content, msgId, timeMs);
  // copies of a whole message are whole messages: `create` would only walk every field again
  const message: pb.Message = { ...content, msgId: BigInt(msgId), from: sender, to: body.to, timeMs: BigInt(timeMs) };
  const ownCopy: pb.Message = { ...message, clientMsgId: body.clientMsgId };
  // a one-to-one recipient is the reader of its own inbox: its copy leaves `to` out
  const delivered: pb.Message = toGroup ? message : { ...message, to: '' };
  const timeline = toGroup ? storeInTimeline(ctx, caller, body, message, recipients, timeMs) : undefined;
  if (timeline !== undefined) {
    const toSelf = ctx.inbox.appendAt(appId, sender, senderSeq, { case: 'message', message: ownCopy, own: true });
    return { case: 'stored', msgId, timeMs, own: toSelf, appended: [...timeline.appended, toSelf], timeline: timeline.push };
  }
  const toOthers = ctx.inbox.append(appId, recipients, { case: 'message', message: delivered, own: false });
  const toSelf = ctx.inbox.appendAt(appId, sender, senderSeq, { case: 'message', message: ownCopy, own: true });
  return { case: 'stored', msgId, timeMs, own: toSelf, appended: [...toOthers, toSelf] };
}

/** Runs after the commit: the answer, and the pushes to everyone online. */
function deliver(ctx: ChatContext, caller: Caller, body: pb.Send, outcome: SendOutcome): Frame {
  switch (outcome.case) {
    case 'earlier':
      return outcome.sent;
    case 'transient':
      deliverTransient(ctx, caller, body.to, outcome.recipients, outcome.content, outcome.timeMs);
      return sentFrame(0, outcome.timeMs, 0);
    case 'stored':
      if (outcome.timeline !== undefined && ctx.timelines !== undefined) {
        const { fanout } = ctx.timelines;
        fanout.push(caller.appId, outcome.timeline, legacyCopier(ctx, caller.appId));
        // a mention's inbox copy leaves once the group's waiting messages (this one's entry too,
        // and on a cluster those waiting on the other nodes) have gone, so the mentioned member
        // does not get it ahead of what was said before
        if (outcome.appended.length > 1) {
          const appended = outcome.appended;
          void fanout.afterWaiting(caller.appId, body.to, () => pushAppended(ctx.delivery, caller.appId, appended, { userId: caller.userId, sessionId: caller.sessionId }));
          return sentFrame(outcome.msgId, outcome.timeMs, Number(outcome.own.entry.seq), Number(outcome.timeline.entry.seq));
        }
      }
      pushAppended(ctx.delivery, caller.appId, outcome.appended, { userId: caller.userId, sessionId: caller.sessionId });
      // a large group's message: where it went in the timeline, which the sending session is not pushed
      return sentFrame(outcome.msgId, outcome.timeMs, Number(outcome.own.entry.seq), Number(outcome.timeline?.entry.seq ?? 0));
  }
}

/** Copies large groups' timelines into the inboxes of the users online with a 2.0 client, in one transaction. */
export function legacyCopier(ctx: ChatContext, appId: string): ((userIds: readonly string[]) => Appended[]) | undefined {
  const timelines = ctx.timelines;
  if (timelines === undefined) return undefined;
  // after the commit: a failed copy is logged, never the SEND's or REVOKE's answer
  const onError = (error: unknown, userId?: string) => ctx.log.warn({ err: error, appId, userId }, 'copying a timeline to a 2.0 client\'s inbox failed; its next SYNC copies it');
  return (userIds) => copyTimelinesForMembers(ctx.db, timelines.store, ctx.inbox, appId, userIds, timelines.legacyCopyEntries, onError);
}

/** Whether the recipient is a group; an invalid user id is refused. */
function checkRecipient(to: string): boolean {
  if (isGroupId(to)) return true;
  if (to.length === 0) throw new MagpieError(ErrorCode.RECIPIENT_NOT_FOUND, 'a message needs a recipient');
  if (!isValidUserId(to)) throw new MagpieError(ErrorCode.INVALID_USER_ID, `"${to}" is neither a user id nor a group id`);
  // the app's notifications come from it; a reply would be stored where nobody reads it
  if (to === SYSTEM_USER_ID) {
    throw new MagpieError(ErrorCode.RECIPIENT_NOT_FOUND, `"${SYSTEM_USER_ID}" is the app's notification sender: nobody reads messages sent to it`);
  }
  return false;
}

function oneToOneRecipients(to: string, sender: string): string[] {
  // a note to oneself lands once, as the sender's own copy
  return to === sender ? [] : [to];
}

function groupRecipients(ctx: ChatContext, caller: Caller, send: pb.Send): string[] {
  checkMayPost(ctx, caller, send);
  return ctx.membership.memberIds(caller.appId, send.to).filter((member) => member !== caller.userId);
}

function checkMayPostUnlessStored(ctx: ChatContext, caller: Caller, send: pb.Send): void {
  try {
    checkMayPost(ctx, caller, send);
  } catch (error) {
    // looked up only when refused, so an accepted SEND does not read its client id twice
    if (ctx.messages.byClientId(caller.appId, caller.userId, send.clientMsgId) === undefined) throw error;
  }
}

/**
 * Charges the sender's stored-content budget: the encoded content plus what a row costs besides;
 * returns what it charged. A resend of a stored message is answered, not refused, as it stores nothing.
 */
function takeBudgetUnlessStored(ctx: ChatContext, caller: Caller, send: pb.Send, contentBytes: number): number {
  const key = budgetKey(caller);
  const bytes = contentBytes + STORED_ROW_OVERHEAD_BYTES;
  if (ctx.contentBudget.take(key, bytes)) return bytes;
  if (ctx.messages.byClientId(caller.appId, caller.userId, send.clientMsgId) !== undefined) return 0;
  const waitMs = ctx.contentBudget.msUntil(key, bytes);
  throw new MagpieError(
    ErrorCode.CONTENT_BUDGET_EXCEEDED,
    `you have stored too much content lately: this message fits again in ${waitMs} ms`,
  );
}

/** Each session's key, made once: a fresh string would have its hash computed on every SEND. */
const budgetKeys = new WeakMap<Caller, string>();

function budgetKey(caller: Caller): string {
  let key = budgetKeys.get(caller);
  if (key === undefined) {
    key = `${caller.appId}/${caller.userId}`;
    budgetKeys.set(caller, key);
  }
  return key;
}

/** Whether the caller may post this message to its group: a member, not muted (alone or by mute all), mentions allowed. */
function checkMayPost(ctx: ChatContext, caller: Caller, send: pb.Send): void {
  const { appId, userId } = caller;
  const group = ctx.membership.requireActiveGroup(appId, send.to);
  const me = ctx.membership.requireMember(appId, send.to, userId);
  if (me.muteUntilMs > ctx.clock.now()) {
    throw new MagpieError(ErrorCode.SELF_MUTED, `you are muted in ${send.to} until ${new Date(me.muteUntilMs).toISOString()}`);
  }
  if (group.muteAll && me.role < pb.GroupRole.ADMIN) {
    throw new MagpieError(ErrorCode.GROUP_MUTED_ALL, `all members of ${send.to} are muted: only the owner and admins may send`);
  }
  if (send.mentionAll && me.role < pb.GroupRole.ADMIN) {
    throw new MagpieError(ErrorCode.NOT_GROUP_ADMIN, 'only the owner and admins may mention everyone');
  }
  for (const mentioned of send.mentions) {
    if (ctx.membership.member(appId, send.to, mentioned) === undefined) {
      throw new MagpieError(ErrorCode.INVALID_MESSAGE, `${mentioned} is not a member of ${send.to}`);
    }
  }
}

/** Transient custom messages reach online sessions only, with seq 0, and are never stored. */
function deliverTransient(ctx: ChatContext, caller: Caller, to: string, recipients: readonly string[], content: pb.Message, timeMs: number): void {
  const message = create(pb.MessageSchema, { ...content, from: caller.userId, to, timeMs: BigInt(timeMs) });
  const frame = bodyFrame('PUSH', { seq: 0n, item: { case: 'message', value: message } });
  for (const user of recipients) ctx.delivery.toUser(caller.appId, user, frame);
  ctx.delivery.toUser(caller.appId, caller.userId, frame, caller.sessionId);
}

/**
 * SENT leaves client_msg_id empty: its request id already says which SEND it answers. timeline_seq
 * is 0 (left out) but for a large group's message, a resend's included (when found, seqOfMessage).
 */
function sentFrame(msgId: number, timeMs: number, seq: number, timelineSeq = 0): Frame {
  // the bytes of bodyFrame('SENT', …), without protobuf-es's reflection (one SENT per message)
  return { type: FrameType.SENT, compressed: false, body: encodeSent(BigInt(msgId), BigInt(timeMs), BigInt(seq), BigInt(timelineSeq)) };
}
