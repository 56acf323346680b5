import type { ConversationView, GroupModeName, GroupView, MemberView } from '../../preload/api';
import { pb } from '../../protocol';
import type { Conversation, GroupRecord, MemberRecord, UserProfile } from '../store';
import { ROLE_NAMES } from './message-view';

/** `revokedBy`: who revoked the last message, when it was revoked by someone other than its sender. */
export function toConversationView(
  conversation: Conversation,
  title: string,
  revokedBy?: string,
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
  return view;
}

const MODE_NAMES: Record<pb.GroupMode, GroupModeName> = {
  [pb.GroupMode.PUBLIC]: 'public',
  [pb.GroupMode.APPROVAL]: 'approval',
  [pb.GroupMode.PRIVATE]: 'private',
};

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
