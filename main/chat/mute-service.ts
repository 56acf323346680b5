import { isGroupId } from '../../protocol';
import type { MagpieClient } from '../client/magpie-client';

/**
 * The mute of one-to-one conversations, kept on the server (MUTE_UPDATE / MUTES) so that every
 * device of the user shows it and the offline push to the user's phone respects it. A group's
 * mute is its do-not-disturb (group-service). The store's `muted` flag follows the server's list;
 * a change made offline is kept here and sent with the next login's update.
 */
export function createMuteService(client: MagpieClient) {
  const { store } = client;
  /** Changes not yet told to the server (made while offline), by peer. */
  const pending = new Map<string, boolean>();
  /** The server's list as last seen; applied to conversations that appear later. */
  let known = new Set<string>();

  /** Makes the stored 1:1 conversations match the list; returns the ids whose flag changed. */
  function apply(peers: readonly string[]): string[] {
    known = new Set(peers);
    const changed: string[] = [];
    for (const conversation of store.conversations.list(100_000)) {
      if (isGroupId(conversation.id)) continue;
      const muted = known.has(conversation.id);
      if (conversation.muted === muted) continue;
      store.conversations.setMuted(conversation.id, muted);
      changed.push(conversation.id);
    }
    return changed;
  }

  /** Sends what changed offline (or nothing) and applies the server's whole list. */
  async function exchange(): Promise<string[]> {
    const sent = new Map(pending);
    pending.clear();
    const mute = [...sent].filter(([, on]) => on).map(([peer]) => peer);
    const unmute = [...sent].filter(([, on]) => !on).map(([peer]) => peer);
    try {
      const answer = await client.request('MUTE_UPDATE', { mute, unmute });
      return apply(answer.body.peers);
    } catch (error) {
      // kept for the next try, unless a newer change replaced it meanwhile
      for (const [peer, on] of sent) if (!pending.has(peer)) pending.set(peer, on);
      throw error;
    }
  }

  return {
    /** Mutes or unmutes the conversation with `peer`: at once here, on the server when online. */
    async set(peer: string, muted: boolean): Promise<void> {
      store.conversations.setMuted(peer, muted);
      pending.set(peer, muted);
      if (client.status.state === 'online') await exchange();
    },
    /** After each login: the offline changes go out, and the server's list comes in. */
    sync: exchange,
    /** A MUTES push (another device changed the list). */
    apply,
    /** A conversation just stored (a first message from someone): muted if the list says so. */
    follow(ids: readonly string[]): void {
      for (const id of ids) {
        if (isGroupId(id) || !known.has(id) || pending.has(id)) continue;
        if (store.conversations.get(id)?.muted === false) store.conversations.setMuted(id, true);
      }
    },
  };
}

export type MuteService = ReturnType<typeof createMuteService>;
