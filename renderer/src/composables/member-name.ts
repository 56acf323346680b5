import { useGroups } from '../stores/groups';
import { useProfiles } from '../stores/profiles';

/**
 * How the page names a user where it speaks of a conversation: in a group, their alias there (the
 * member card, as the member list shows it) when the page holds the group's members, else their
 * nickname, else their id. A one-to-one conversation (or none) never uses an alias. Every name of a
 * member said in a group's context (bubbles, notices, the chat-list preview, typing, readers) comes
 * from here, so they never disagree.
 */
export function useMemberName(): (userId: string, conversation?: string) => string {
  const groups = useGroups();
  const profiles = useProfiles();
  return (userId, conversation) => (conversation === undefined ? '' : groups.cardOf(conversation, userId)) || profiles.name(userId);
}
