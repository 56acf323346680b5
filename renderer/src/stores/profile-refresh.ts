/**
 * Nicknames change on other people's computers and no event says so: the page asks again for the
 * people it shows when a chat opens and when the window comes back to the front, and puts the
 * answer, and what the core fetched itself (`profiles.updated`: at sign-in, with a message), into
 * every view that shows a name (list titles, chat header, members, notices). docs/client.md,
 * "Names follow renames".
 */
import type { ProfileView } from '../../../preload/api';
import { useBackend } from './backend';
import { useConversations } from './conversations';
import { useGroups } from './groups';
import { useProfiles } from './profiles';

/** Coming back to the window asks again at most this often. */
export const PROFILE_REFRESH_MIN_MS = 30_000;

export function createProfileRefresh(nowMs: () => number = Date.now) {
  let lastAllMs = Number.NEGATIVE_INFINITY;

  /** Puts new nicknames into every store that shows them. */
  function apply(profiles: readonly ProfileView[]): void {
    useProfiles().remember([...profiles]);
    const conversations = useConversations();
    const groups = useGroups();
    for (const p of profiles) {
      const c = conversations.byId[p.userId];
      const title = p.nickname || p.userId;
      if (c && c.kind === 'user' && c.title !== title) conversations.upsert({ ...c, title });
      groups.renameMember(p.userId, p.nickname);
    }
  }

  async function refresh(userIds: readonly string[]): Promise<void> {
    const ids = [...new Set(userIds.filter((id) => id && !id.startsWith('g')))];
    if (ids.length === 0) return;
    const result = await useBackend().call('profiles.get', { userIds: ids });
    if (result.ok) apply(result.value);
  }

  /** The people of an opened chat: the other user, or the group's members. */
  async function forConversation(id: string): Promise<void> {
    if (!id.startsWith('g')) return refresh([id]);
    const members = useGroups().members[id];
    if (members) await refresh(members.map((m) => m.userId));
  }

  /** Everyone the page shows, when the window comes back (throttled). */
  async function all(): Promise<void> {
    if (nowMs() - lastAllMs < PROFILE_REFRESH_MIN_MS) return;
    lastAllMs = nowMs();
    const conversations = Object.values(useConversations().byId).filter((c) => c.kind === 'user').map((c) => c.id);
    await refresh([...conversations, ...Object.keys(useProfiles().byId)]);
  }

  return { apply, refresh, forConversation, all };
}
