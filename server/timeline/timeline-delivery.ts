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
 */
export function pushTimeline(delivery: Delivery, appId: string, push: TimelinePush, copyForLegacy?: (userId: string) => Appended[]): void {
  const frame = bodyFrame('PUSH', push.entry);
  if (delivery.toUserSince === undefined) return;
  for (const reader of push.readers) {
    delivery.toUserSince(appId, reader, TIMELINE_MIN_MINOR, frame);
    // a 2.0 session online: its user's inbox gets the copy now, pushed like any inbox entry
    if (copyForLegacy !== undefined && delivery.onlineBelow?.(appId, reader, TIMELINE_MIN_MINOR) === true) {
      pushAppended(delivery, appId, copyForLegacy(reader));
    }
  }
}
