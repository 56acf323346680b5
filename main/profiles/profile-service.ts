import { ErrorCode, MagpieError, type pb } from '../../protocol';
import type { ProfileView } from '../../preload/api';
import type { MagpieClient } from '../client/magpie-client';
import type { UserProfile } from '../store';

function toView(profile: UserProfile | undefined, userId: string): ProfileView {
  return { userId, nickname: profile?.nickname ?? '', avatar: profile?.avatar ?? '' };
}

function fromWire(profile: pb.Profile): UserProfile {
  return { userId: profile.userId, nickname: profile.nickname, avatar: profile.avatar, updatedMs: Number(profile.updatedMs) };
}

/** User ids one PROFILE_QUERY names: the server's default `maxProfileQueryIds`. */
export const PROFILE_QUERY_IDS = 100;

/** Nicknames and avatars: asked of the server, kept in the store, read from it while offline. */
export function createProfileService(client: MagpieClient, nowMs: () => number = Date.now) {
  const { store } = client;
  /** When this session last had each user's profile from the server. */
  const askedMs = new Map<string, number>();

  async function fetch(userIds: readonly string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += PROFILE_QUERY_IDS) {
      const ids = userIds.slice(i, i + PROFILE_QUERY_IDS);
      const answer = await client.request('PROFILE_QUERY', { userIds: ids });
      store.users.upsert(answer.body.profiles.map(fromWire));
      const now = nowMs();
      for (const id of ids) askedMs.set(id, now);
    }
  }

  return {
    async get(userIds: readonly string[]): Promise<ProfileView[]> {
      const unique = [...new Set(userIds)];
      try {
        if (unique.length > 0) await fetch(unique);
      } catch (error) {
        if (!(error instanceof MagpieError && error.code === ErrorCode.NOT_CONNECTED)) throw error;
      }
      const known = new Map(store.users.getMany(unique).map((p) => [p.userId, p]));
      return unique.map((id) => toView(known.get(id), id));
    },

    /**
     * Whether the server knows the user: one who was made a sub-account or has signed in. A user
     * id no one has signed in with yet may still be sent to, but nothing can have come from it.
     */
    async existsOnServer(userId: string): Promise<boolean> {
      const answer = await client.request('PROFILE_QUERY', { userIds: [userId] });
      store.users.upsert(answer.body.profiles.map(fromWire));
      return answer.body.profiles.some((profile) => profile.userId === userId);
    },

    /**
     * The users among `userIds` whose name is worth asking for: not in the store, or not asked
     * about by this session for the tuning's profileRecheckMs (they may have renamed themselves
     * since: docs/client.md, "Names follow renames").
     */
    due(userIds: Iterable<string>): string[] {
      const now = nowMs();
      const due = new Set<string>();
      for (const id of userIds) {
        const asked = askedMs.get(id);
        if (!store.users.get(id) || asked === undefined || now - asked >= client.tuning.profileRecheckMs) due.add(id);
      }
      return [...due];
    },

    /** What the store knows, without asking the server (for titles and notifications). */
    known(userId: string): ProfileView {
      return toView(store.users.get(userId), userId);
    },

    async me(): Promise<ProfileView> {
      const [me] = await this.get([client.selfId]);
      return me!;
    },

    async update(change: { nickname?: string; avatar?: string }): Promise<ProfileView> {
      const answer = await client.request('PROFILE_UPDATE', change);
      if (answer.body.profiles[0]) store.users.upsert([fromWire(answer.body.profiles[0])]);
      else await fetch([client.selfId]);
      return toView(store.users.get(client.selfId), client.selfId);
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
