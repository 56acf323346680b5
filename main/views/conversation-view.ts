import { compareConversationItems, type ConversationView, type GroupModeName, type GroupView, type MemberView } from '../../preload/api';
import { pb } from '../../protocol';
import type { Conversation, GroupRecord, MemberRecord, StoredMessage, StoredNotice, UserProfile } from '../store';
import { messageOrder, MODE_NAMES, noticeOrder, ROLE_NAMES, toNoticeView } from './message-view';

/**
 * `revokedBy`: who revoked the last message, when it was revoked by someone other than its sender.
 * `latestNotice`: a group's newest notice; it is the row's last line when no message came after it.
 * `lastMessage`: the row's last message, whose own time and inbox seq place the notice against it.
 */
export function toConversationView(
  conversation: Conversation,
  title: string,
  revokedBy?: string,
  latestNotice?: StoredNotice,
  lastMessage?: Pick<StoredMessage, 'localId' | 'conversation' | 'timeMs' | 'seq' | 'timelineSeq' | 'msgId'>,
): ConversationView {
  const view: ConversationView = {
    id: conversation.id,
    kind: conversation.kind,
    title,
    unread: conversation.unreadCount,
    mentioned: conversation.unreadMentions > 0,
    lastPreview: conversation.lastPreview,
    lastTimeMs: conversation.lastTimeMs,
    draft: conversation.draft,
    pinned: conversation.pinned,
    muted: conversation.muted,
  };
  if (conversation.lastSender) view.lastFrom = conversation.lastSender;
  if (revokedBy) view.lastRevokedBy = revokedBy;
  if (latestNotice && (conversation.lastLocalId === null || noticeIsLater(latestNotice, lastMessage, conversation))) {
    view.lastNotice = toNoticeView(latestNotice);
    view.lastTimeMs = Math.max(conversation.lastTimeMs, latestNotice.timeMs);
    delete view.lastFrom;
    delete view.lastRevokedBy;
  }
  return view;
}

/**
 * Whether a group's newest notice came after its last message, in the order the chat shows them
 * (compareConversationItems). Without the message, the row's time stands for its time (a notice may
 * have raised it) and its row id for its key.
 */
function noticeIsLater(
  notice: StoredNotice,
  message: Pick<StoredMessage, 'localId' | 'conversation' | 'timeMs' | 'seq' | 'timelineSeq' | 'msgId'> | undefined,
  conversation: Pick<Conversation, 'id' | 'lastLocalId' | 'lastTimeMs'>,
): boolean {
  const last = message
    ? messageOrder(message)
    : { timeMs: conversation.lastTimeMs, conversation: conversation.id, key: String(conversation.lastLocalId) };
  return compareConversationItems(noticeOrder(notice), last) > 0;
}

export const MODE_BY_NAME: Record<GroupModeName, pb.GroupMode> = {
  public: pb.GroupMode.PUBLIC,
  approval: pb.GroupMode.APPROVAL,
  private: pb.GroupMode.PRIVATE,
};

export function toGroupView(group: GroupRecord): GroupView {
  return {
    groupId: group.groupId,
    name: group.name,
    owner: group.owner,
    mode: MODE_NAMES[group.mode] ?? 'public',
    capacity: group.capacity,
    memberCount: group.memberCount,
    announcement: group.announcement,
    myRole: ROLE_NAMES[group.myRole] ?? 'none',
    dnd: group.dnd,
    inviteConfirm: group.inviteConfirm,
    dismissed: group.dismissed,
    myMuteUntilMs: group.myMuteUntilMs,
    muteAll: group.muteAll,
  };
}

export function toMemberView(member: MemberRecord, profile: UserProfile | undefined): MemberView {
  return {
    userId: member.userId,
    nickname: member.nickname || profile?.nickname || '',
    role: ROLE_NAMES[member.role] ?? 'member',
    card: member.card,
    muteUntilMs: member.muteUntilMs,
  };
}
