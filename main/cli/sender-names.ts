import { isGroupId } from '../../protocol';
import type { GroupService } from '../groups/group-service';
import type { ProfileService } from '../profiles/profile-service';
import type { ClientStore } from '../store';

/** A page of members asked for at once, as the app reads a group's member list. */
const MEMBER_PAGE = 200;

/**
 * How the CLI names a sender, as the app does (renderer/src/composables/member-name.ts): in a group
 * their alias there, else their nickname, else their id; in a one-to-one chat their nickname, else
 * their id. From what the local store holds: the group's member list (kept up to date by the
 * group's notices and CARD) and the profiles met.
 */
export type SenderNames = (userId: string, conversation: string) => string;

export function createSenderNames(store: Pick<ClientStore, 'groups' | 'users'>): SenderNames {
  return (userId, conversation) => {
    const member = isGroupId(conversation) ? store.groups.getMember(conversation, userId) : undefined;
    return member?.card || member?.nickname || store.users.get(userId)?.nickname || userId;
  };
}

export interface Sender {
  readonly conversation: string;
  readonly from: string;
}

/** Reads from the server what names senders, once per group or peer in a command's run. */
export interface SenderNameReader {
  /** Whether some of these senders' names were not read yet. */
  unread(senders: readonly Sender[]): boolean;
  /**
   * A group's member list (all its pages), as the app reads it when the group's chat opens, and a
   * one-to-one peer's profile. Names only: what cannot be read (a group left or dismissed, a
   * server out of reach) leaves the store's names, and the command goes on, its lines keeping
   * every id.
   */
  read(senders: readonly Sender[]): Promise<void>;
}

export function createSenderNameReader(services: { groups: GroupService; profiles: ProfileService }): SenderNameReader {
  // each read once, and every caller waits for the same one
  const reads = new Map<string, Promise<unknown>>();
  const keyOf = (sender: Sender): string => (isGroupId(sender.conversation) ? sender.conversation : `user:${sender.from}`);
  const readGroup = async (groupId: string): Promise<void> => {
    for (let offset = 0; ; offset += MEMBER_PAGE) {
      const page = await services.groups.members(groupId, offset, MEMBER_PAGE);
      if (page.members.length < MEMBER_PAGE || offset + page.members.length >= page.total) return;
    }
  };
  return {
    unread: (senders) => senders.some((sender) => !reads.has(keyOf(sender))),
    async read(senders) {
      const peers = new Set<string>();
      for (const sender of senders) {
        const key = keyOf(sender);
        if (reads.has(key)) continue;
        if (isGroupId(sender.conversation)) reads.set(key, readGroup(sender.conversation).catch(() => undefined));
        else peers.add(sender.from);
      }
      // one profile query for the peers new here
      if (peers.size > 0) {
        const asked = services.profiles.get([...peers]).catch(() => undefined);
        for (const peer of peers) reads.set(`user:${peer}`, asked);
      }
      await Promise.all([...new Set(senders.map(keyOf))].map((key) => reads.get(key)));
    },
  };
}
