import { bodyFrame, type Frame } from '../../protocol';
import type { Call, Handler } from '../handler-types';
import type { InboxStore } from './inbox';
import { SYNC_LIMITS } from './sync-limits';

export interface SyncHandlers {
  readonly SYNC: Handler<'SYNC'>;
  readonly CONFIRM: Handler<'CONFIRM'>;
  /** SYNC's answer; `moreToCome`: says `more` even at the inbox's end (a 2.0 client's copy is not finished). */
  page(call: Call<'SYNC'>, moreToCome: boolean): Frame;
}

/** SYNC pulls a page of the caller's inbox after a seq; CONFIRM stores what the client has kept. */
export function createSyncHandlers(inbox: InboxStore, compressThresholdBytes: number): SyncHandlers {
  const page: SyncHandlers['page'] = ({ caller, body }, moreToCome) => {
    const afterSeq = Number(body.afterSeq);
    const requested = body.limit === 0 ? SYNC_LIMITS.defaultPageEntries : body.limit;
    const limit = Math.min(requested, SYNC_LIMITS.maxPageEntries);
    const found = inbox.page(caller.appId, caller.userId, afterSeq, limit, SYNC_LIMITS.maxPageBytes);
    // a page of many entries is the frame that gains most from deflate
    return bodyFrame('SYNC_PAGE', { entries: found.entries, maxSeq: BigInt(found.maxSeq), more: found.more || moreToCome }, { compressThresholdBytes });
  };
  return {
    SYNC: (call) => page(call, false),
    page,
    CONFIRM: ({ caller, body, requestId }) => {
      inbox.confirm(caller.appId, caller.userId, Number(body.seq));
      return requestId === undefined ? undefined : bodyFrame('OK', {});
    },
  };
}
