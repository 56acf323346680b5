import type { ConversationView, GroupModeName, GroupView, MemberView } from '../../preload/api';
import { pb } from '../../protocol';
import type { Conversation, GroupRecord, MemberRecord, StoredNotice, UserProfile } from '../store';
import { MODE_NAMES, ROLE_NAMES, toNoticeView } from './message-view';

/**
 * `revokedBy`: who revoked the last message, when it was revoked by someone other than its sender.
 * `latestNotice`: a group's newest notice; it is the row's last line when no message came after it.
 */
export function toConversationView(
  conversation: Conversation,
  title: string,
  revokedBy?: string,
  latestNotice?: StoredNotice,
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
  // a notice stamped in the same millisecond as the last message is taken as the later: the
  // conversation's time was raised to the notice's, so the message's own time is no longer known
  if (latestNotice && (conversation.lastLocalId === null || latestNotice.timeMs >= conversation.lastTimeMs)) {
    view.lastNotice = toNoticeView(latestNotice);
    view.lastTimeMs = Math.max(conversation.lastTimeMs, latestNotice.timeMs);
    delete view.lastFrom;
    delete view.lastRevokedBy;
  }
  return view;
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
