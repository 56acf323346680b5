import { bodyFrame, encodeMessage, messagePushFrame, type pb, type Frame } from '../../protocol';
import type { Delivery } from '../handler-types';
import type { Appended } from './inbox';

/** The sending session already has its answer (SENT or the request's result): skip it. */
export interface SkipSession {
  readonly userId: string;
  readonly sessionId: string;
}

/**
 * Pushes freshly committed inbox entries to every online session of their users. Offline users
 * are skipped before any encoding: they pull the same entries by SYNC.
 */
export function pushAppended(delivery: Delivery, appId: string, appended: readonly Appended[], skip?: SkipSession): void {
  // a group message is the same Message in every member's entry: encode it once
  const encoded = new Map<pb.Message, Uint8Array>();
  for (const { userId, entry } of appended) {
    if (!delivery.isOnline(appId, userId)) {
      delivery.offline?.(appId, userId, entry);
      continue;
    }
    const except = skip !== undefined && skip.userId === userId ? skip.sessionId : undefined;
    // the sender's own copy, when its only session is the one that has SENT: nothing to encode
    if (except !== undefined && delivery.isOnlineBesides?.(appId, userId, except) === false) continue;
    delivery.toUser(appId, userId, pushFrame(entry, encoded), except);
  }
}

function pushFrame(entry: pb.Entry, encoded: Map<pb.Message, Uint8Array>): Frame {
  if (entry.item.case !== 'message') return bodyFrame('PUSH', entry);
  const message = entry.item.value;
  let bytes = encoded.get(message);
  if (bytes === undefined) {
    bytes = encodeMessage(message);
    encoded.set(message, bytes);
  }
  return messagePushFrame(entry.seq, bytes);
}
