import type { SqlDatabase } from '../storage/sql-database';
import { bodyFrame, ErrorCode, isGroupId, isValidUserId, MagpieError } from '../../protocol';
import type { Delivery, HandlerTable } from '../handler-types';
import type { Tuning } from '../tuning';

/** MUTE_UPDATE and MUTES are protocol 2.1: a 2.0 client does not know frame 0x26 and would close its link. */
export const MUTES_MIN_MINOR = 1;

/** The one-to-one mutes of each user (table conversation_mutes): MUTE_UPDATE, and the push's check. */
export interface ConversationMutes {
  readonly handlers: HandlerTable;
  /** Whether the user muted the one-to-one conversation with `peer`. */
  isMuted(appId: string, userId: string, peer: string): boolean;
}

export function createConversationMutes(deps: {
  db: SqlDatabase;
  delivery: Pick<Delivery, 'toUserSince'>;
  tuning: Pick<Tuning, 'maxMutedConversations'>;
}): ConversationMutes {
  const { db, delivery, tuning } = deps;
  const insert = db.prepare('INSERT INTO conversation_mutes (app_id, user_id, peer) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const remove = db.prepare('DELETE FROM conversation_mutes WHERE app_id = ? AND user_id = ? AND peer = ?');
  const list = db.prepare<[string, string], string>('SELECT peer FROM conversation_mutes WHERE app_id = ? AND user_id = ? ORDER BY peer').pluck();
  const muted = db.prepare<[string, string, string], number>('SELECT 1 FROM conversation_mutes WHERE app_id = ? AND user_id = ? AND peer = ?').pluck();

  const checkPeers = (peers: readonly string[]) => {
    if (peers.length > tuning.maxMutedConversations) {
      throw new MagpieError(ErrorCode.BAD_BODY, `at most ${tuning.maxMutedConversations} peers per MUTE_UPDATE`);
    }
    for (const peer of peers) {
      // a group's mute is its do-not-disturb (GROUP set_dnd), which the group's members list keeps
      if (isGroupId(peer)) throw new MagpieError(ErrorCode.BAD_BODY, `${peer} is a group: mute it with the group's do-not-disturb`);
      if (!isValidUserId(peer)) throw new MagpieError(ErrorCode.INVALID_USER_ID, `"${peer}" is not a valid user id`);
    }
  };

  const update = db.transaction((appId: string, userId: string, mute: readonly string[], unmute: readonly string[]) => {
    for (const peer of unmute) remove.run(appId, userId, peer);
    for (const peer of mute) insert.run(appId, userId, peer);
    const peers = list.all(appId, userId);
    // checked inside the transaction, so a refused update changes nothing
    if (peers.length > tuning.maxMutedConversations) {
      throw new MagpieError(ErrorCode.BAD_BODY, `at most ${tuning.maxMutedConversations} muted conversations`);
    }
    return peers;
  });

  return {
    handlers: {
      MUTE_UPDATE: ({ caller, body }) => {
        if ((caller.protocolMinor ?? 0) < MUTES_MIN_MINOR) {
          throw new MagpieError(ErrorCode.UNSUPPORTED_VERSION, 'MUTE_UPDATE is protocol 2.1: say minor 1 in HELLO');
        }
        checkPeers(body.mute);
        checkPeers(body.unmute);
        const changes = body.mute.length + body.unmute.length;
        const peers = changes > 0 ? update(caller.appId, caller.userId, body.mute, body.unmute) : list.all(caller.appId, caller.userId);
        const answer = bodyFrame('MUTES', { peers });
        // the user's other 2.1 devices show the same mutes at once (a 2.0 one would take 0x26 for garbage)
        if (changes > 0) delivery.toUserSince?.(caller.appId, caller.userId, MUTES_MIN_MINOR, answer, caller.sessionId);
        return answer;
      },
    },
    isMuted: (appId, userId, peer) => muted.get(appId, userId, peer) !== undefined,
  };
}
