import { isGroupId, MESSAGE_TYPE_NAMES, pb } from '../../protocol';
import type { ConversationItemOrder, GroupModeName, GroupRoleName, MessageView, NoticeKindName, NoticeView } from '../../preload/api';
import type { StoredMessage, StoredNotice } from '../store';

export const NOTICE_KIND_NAMES: Record<pb.NoticeKind, NoticeKindName | undefined> = {
  [pb.NoticeKind.UNSPECIFIED]: undefined,
  [pb.NoticeKind.CREATE]: 'create',
  [pb.NoticeKind.INVITE]: 'invite',
  [pb.NoticeKind.INVITE_REQUEST]: 'invite_request',
  [pb.NoticeKind.APPLY]: 'apply',
  [pb.NoticeKind.APPROVE]: 'approve',
  [pb.NoticeKind.REJECT]: 'reject',
  [pb.NoticeKind.JOIN]: 'join',
  [pb.NoticeKind.QUIT]: 'quit',
  [pb.NoticeKind.KICK]: 'kick',
  [pb.NoticeKind.DISMISS]: 'dismiss',
  [pb.NoticeKind.ROLE]: 'role',
  [pb.NoticeKind.MUTE]: 'mute',
  [pb.NoticeKind.MODIFY]: 'modify',
  [pb.NoticeKind.TRANSFER]: 'transfer',
  [pb.NoticeKind.DECLINE]: 'decline',
  // transient only, never stored: a new alias is no line in the chat
  [pb.NoticeKind.CARD]: undefined,
};

export const MODE_NAMES: Record<pb.GroupMode, GroupModeName> = {
  [pb.GroupMode.PUBLIC]: 'public',
  [pb.GroupMode.APPROVAL]: 'approval',
  [pb.GroupMode.PRIVATE]: 'private',
};

export const ROLE_NAMES: Record<pb.GroupRole, GroupRoleName> = {
  [pb.GroupRole.NONE]: 'none',
  [pb.GroupRole.MEMBER]: 'member',
  [pb.GroupRole.ADMIN]: 'admin',
  [pb.GroupRole.OWNER]: 'owner',
};

/** The local key of a stored message: its row id, stable for the life of the profile. */
export function messageKey(message: Pick<StoredMessage, 'localId'>): string {
  return String(message.localId);
}

export function localIdOfKey(key: string): number | undefined {
  return /^\d{1,15}$/.test(key) ? Number(key) : undefined;
}

/** A notice's key: 'n' + its inbox seq, so it never collides with a message's. */
export function noticeKey(notice: Pick<StoredNotice, 'seq'>): string {
  return `n${notice.seq}`;
}

/** Where a stored message sits in its conversation (compareConversationItems), as its view would. */
export function messageOrder(message: Pick<StoredMessage, 'localId' | 'conversation' | 'timeMs' | 'seq' | 'timelineSeq' | 'msgId'>): ConversationItemOrder {
  const { timeMs, conversation, seq, timelineSeq, msgId } = message;
  return { timeMs, conversation, seq, timelineSeq, msgId, key: messageKey(message) };
}

/** Where a stored notice sits in its group's conversation, as its view would. */
export function noticeOrder(notice: Pick<StoredNotice, 'timeMs' | 'groupId' | 'seq'>): ConversationItemOrder {
  return { timeMs: notice.timeMs, conversation: notice.groupId, seq: notice.seq, key: noticeKey(notice) };
}

export function toMessageView(message: StoredMessage): MessageView {
  const payload = message.body.custom?.payload;
  const view: MessageView = {
    key: messageKey(message),
    conversation: message.conversation,
    conversationKind: isGroupId(message.conversation) ? 'group' : 'user',
    from: message.from,
    to: message.to,
    outgoing: message.outgoing,
    kind: message.body.unavailable ? 'unavailable' : (MESSAGE_TYPE_NAMES[message.type] ?? 'custom'),
    text: message.burned ? '' : message.text,
    mentions: message.body.mentions ?? [],
    mentionAll: message.body.mentionAll ?? false,
    timeMs: message.timeMs,
    state: message.state,
    revoked: message.revoked,
    burnAfterReading: message.burnAfterReading,
    burned: message.burned,
  };
  if (message.revoked && message.revokedBy && message.revokedBy !== message.from) view.revokedBy = message.revokedBy;
  if (message.msgId !== null) view.msgId = message.msgId;
  if (message.seq !== null) view.seq = message.seq;
  if (message.timelineSeq !== null) view.timelineSeq = message.timelineSeq;
  if (message.clientMsgId !== null) view.clientMsgId = message.clientMsgId;
  if (message.body.media && !message.burned) view.media = { ...message.body.media };
  if (message.body.location && !message.burned) view.location = { ...message.body.location };
  if (message.body.custom && payload !== undefined) {
    view.custom = { command: message.body.custom.command, payload: payloadText(payload) };
  }
  return view;
}

/** A custom payload as text when it is valid UTF-8 text, else left in base64. */
function payloadText(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : base64;
}

export function toNoticeView(notice: StoredNotice): NoticeView {
  const view: NoticeView = {
    kind: NOTICE_KIND_NAMES[notice.kind] ?? 'modify',
    groupId: notice.groupId,
    actor: notice.actor,
    targets: [...notice.targets],
    text: notice.text,
  };
  if (notice.requestId) view.requestId = notice.requestId;
  if (notice.role) view.role = ROLE_NAMES[notice.role];
  if (notice.kind === pb.NoticeKind.MUTE) view.muteUntilMs = notice.muteUntilMs;
  // the server sets the end from the same clock as the notice's time, a millisecond or so before it
  const muteSeconds = Math.round((notice.muteUntilMs - notice.timeMs) / 1000);
  if (notice.kind === pb.NoticeKind.MUTE && notice.muteUntilMs > 0 && muteSeconds > 0) view.muteSeconds = muteSeconds;
  if (notice.changes !== undefined) {
    const { mode, ...rest } = notice.changes;
    view.changes = { ...rest, ...(mode === undefined ? {} : { mode: MODE_NAMES[mode] ?? 'public' }) };
  }
  return view;
}

/** A group notice shown inline in its conversation, as a system line. */
export function noticeAsMessageView(notice: StoredNotice): MessageView {
  return {
    key: noticeKey(notice),
    seq: notice.seq,
    conversation: notice.groupId,
    conversationKind: 'group',
    from: notice.actor,
    to: notice.groupId,
    outgoing: false,
    kind: 'notice',
    text: notice.text,
    mentions: [],
    mentionAll: false,
    notice: toNoticeView(notice),
    timeMs: notice.timeMs,
    state: 'received',
    revoked: false,
    burnAfterReading: false,
    burned: false,
  };
}
