import type { pb } from '../../protocol';
import type { ChatContext } from '../chat/chat-context';
import type { Caller } from '../handler-types';
import type { Appended } from '../sync/inbox';
import { timelineMessageEntry } from './timeline-store';
import type { TimelinePush } from './timeline-delivery';

/**
 * A SEND to a group, inside its transaction: when the group is (or now becomes) read-diffused, the
 * message goes into the group's timeline once, and only the members it mentions get it in their
 * inbox as well (their own entry: an alert, an offline push). An @all is copied to no inbox: the
 * offline push queues its members' pushes in this transaction (Delivery.offlineTimeline). Returns
 * undefined for a group below the threshold, which the caller write-diffuses as before.
 */
export function storeInTimeline(
  ctx: ChatContext,
  caller: Caller,
  send: pb.Send,
  message: pb.Message,
  recipients: readonly string[],
  timeMs: number,
): { appended: Appended[]; push: TimelinePush } | undefined {
  const { appId } = caller;
  const timelines = ctx.timelines;
  // the recipients are every member but the sender
  if (timelines === undefined || !timelines.store.ensure(appId, send.to, recipients.length + 1, timelines.threshold, timeMs)) return undefined;
  const seq = timelines.store.appendMessage(appId, send.to, Number(message.msgId));
  const members = new Set(recipients);
  const mentioned = [...new Set(send.mentions)].filter((user) => members.has(user));
  const appended = ctx.inbox.append(appId, mentioned, { case: 'message', message, own: false });
  const entry = timelineMessageEntry(seq, send.to, message);
  if (message.mentionAll) ctx.delivery.offlineTimeline?.(appId, recipients, entry);
  // the sender's other sessions are pushed the entry as any member is; the sending one has SENT
  return { appended, push: { entry, readers: recipients, sender: { userId: caller.userId, sessionId: caller.sessionId } } };
}
