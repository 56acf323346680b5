import { bodyFrame } from '../../protocol';
import type { Handler } from '../handler-types';
import type { InboxStore } from './inbox';
import { SYNC_LIMITS } from './sync-limits';

export interface SyncHandlers {
  readonly SYNC: Handler<'SYNC'>;
  readonly CONFIRM: Handler<'CONFIRM'>;
}

/** SYNC pulls a page of the caller's inbox after a seq; CONFIRM stores what the client has kept. */
export function createSyncHandlers(inbox: InboxStore, compressThresholdBytes: number): SyncHandlers {
  return {
    SYNC: ({ caller, body }) => {
      const afterSeq = Number(body.afterSeq);
      const requested = body.limit === 0 ? SYNC_LIMITS.defaultPageEntries : body.limit;
      const limit = Math.min(requested, SYNC_LIMITS.maxPageEntries);
      const page = inbox.page(caller.appId, caller.userId, afterSeq, limit, SYNC_LIMITS.maxPageBytes);
      // a page of many entries is the frame that gains most from deflate
      return bodyFrame('SYNC_PAGE', { entries: page.entries, maxSeq: BigInt(page.maxSeq), more: page.more }, { compressThresholdBytes });
    },
    CONFIRM: ({ caller, body, requestId }) => {
      inbox.confirm(caller.appId, caller.userId, Number(body.seq));
      return requestId === undefined ? undefined : bodyFrame('OK', {});
    },
  };
}
