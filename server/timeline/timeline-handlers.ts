import type { SqlDatabase } from '../storage/sql-database';
import { bodyFrame, ErrorCode, MagpieError, MAX_TIMELINE_CONFIRM_CURSORS } from '../../protocol';
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
export function createTimelineHandlers(db: SqlDatabase, store: TimelineStore, compressThresholdBytes: number): TimelineHandlers {
  // one commit for the whole frame, not one per cursor
  const confirmAll = db.transaction((appId: string, userId: string, highest: ReadonlyMap<string, number>) => {
    for (const [groupId, seq] of highest) store.confirm(appId, userId, groupId, seq);
  });
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
      if (body.cursors.length > MAX_TIMELINE_CONFIRM_CURSORS) {
        throw new MagpieError(ErrorCode.BAD_BODY, `at most ${MAX_TIMELINE_CONFIRM_CURSORS} cursors per TIMELINE_CONFIRM`);
      }
      // a group named twice counts once, at its highest seq
      const highest = new Map<string, number>();
      for (const cursor of body.cursors) highest.set(cursor.groupId, Math.max(highest.get(cursor.groupId) ?? 0, Number(cursor.seq)));
      confirmAll(caller.appId, caller.userId, highest);
      return requestId === undefined ? undefined : bodyFrame('OK', {});
    },
  };
}
