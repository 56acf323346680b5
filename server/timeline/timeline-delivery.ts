import { bodyFrame, type pb } from '../../protocol';
import type { Delivery } from '../handler-types';
import type { Appended } from '../sync/inbox';
import { pushAppended } from '../sync/push';

/** Timeline entries are protocol 2.1: a 2.0 client would take their seqs for its inbox's. */
export const TIMELINE_MIN_MINOR = 1;

/** What a SEND or REVOKE to a read-diffused group pushes after its commit. */
export interface TimelinePush {
  readonly entry: pb.Entry;
  /** The members to push to (the sender's sessions have their own inbox copy). */
  readonly readers: readonly string[];
}

/**
 * Pushes one timeline entry to every online member: one encoding, one frame, the same bytes for
 * everyone (read diffusion: nothing per member was stored). Offline members pull it with
 * TIMELINE_SYNC; they get no offline push for it (an @mention does: it is in their inbox).
 * `copyForLegacy` copies the timelines of the members online with a 2.0 client into their inboxes,
 * all at once and without throwing (timeline-legacy.ts); those copies are pushed as inbox entries.
 */
export function pushTimeline(
  delivery: Delivery,
  appId: string,
  push: TimelinePush,
  copyForLegacy?: (userIds: readonly string[]) => Appended[],
): void {
  const frame = bodyFrame('PUSH', push.entry);
  if (delivery.toUserSince === undefined) return;
  const legacy: string[] = [];
  for (const reader of push.readers) {
    delivery.toUserSince(appId, reader, TIMELINE_MIN_MINOR, frame);
    if (copyForLegacy !== undefined && delivery.onlineBelow?.(appId, reader, TIMELINE_MIN_MINOR) === true) legacy.push(reader);
  }
  if (legacy.length > 0) pushAppended(delivery, appId, copyForLegacy!(legacy));
}
