import { bodyFrame } from '../../protocol';
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
  for (const { userId, entry } of appended) {
    if (!delivery.isOnline(appId, userId)) continue;
    const except = skip !== undefined && skip.userId === userId ? skip.sessionId : undefined;
    delivery.toUser(appId, userId, bodyFrame('PUSH', entry), except);
  }
}
