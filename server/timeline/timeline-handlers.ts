import { bodyFrame } from '../../protocol';
import type { Handler } from '../handler-types';
import { SYNC_LIMITS } from '../sync/sync-limits';
import type { TimelineStore } from './timeline-store';

export interface TimelineHandlers {
  readonly TIMELINE_SYNC: Handler<'TIMELINE_SYNC'>;
  readonly TIMELINE_CONFIRM: Handler<'TIMELINE_CONFIRM'>;
}

/**
 * TIMELINE_SYNC pulls the caller's large groups' timelines after the caller's cursors, within the
 * caller's ranges only (from each join to each leave); TIMELINE_CONFIRM stores what the client kept.
 * Pages are bounded like SYNC_PAGE's, across all the timelines of one answer.
 */
export function createTimelineHandlers(store: TimelineStore, compressThresholdBytes: number): TimelineHandlers {
  return {
    TIMELINE_SYNC: ({ caller, body }) => {
      const cursors = new Map<string, number>();
      for (const cursor of body.cursors) cursors.set(cursor.groupId, Number(cursor.seq));
      const requested = body.limit === 0 ? SYNC_LIMITS.defaultPageEntries : body.limit;
      const limit = Math.min(requested, SYNC_LIMITS.maxPageEntries);
      const page = store.page(caller.appId, caller.userId, cursors, limit, SYNC_LIMITS.maxPageBytes);
      const slices = page.slices.map((s) => ({ groupId: s.groupId, entries: s.entries, maxSeq: BigInt(s.maxSeq), more: s.more }));
      return bodyFrame('TIMELINE_PAGE', { slices, more: page.more }, { compressThresholdBytes });
    },
    TIMELINE_CONFIRM: ({ caller, body, requestId }) => {
      for (const cursor of body.cursors) store.confirm(caller.appId, caller.userId, cursor.groupId, Number(cursor.seq));
      return requestId === undefined ? undefined : bodyFrame('OK', {});
    },
  };
}
