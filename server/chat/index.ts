import { DEFAULT_WIRE_LIMITS } from '../../protocol';
import type { HandlerTable, ServerDeps } from '../handler-types';
import { createMembershipStore } from '../groups/membership';
import { createSyncHandlers } from '../sync/handlers';
import { createInboxStore } from '../sync/inbox';
import type { ChatContext } from './chat-context';
import { createContentBudget } from './content-budget';
import { DEFAULT_CONTENT_BUDGET, DEFAULT_REVOKE_WINDOW_MS } from './content-limits';
import type { MediaReferences } from './media-reference';
import { createMessageStore } from './message-store';
import { createWriteBatch } from '../storage/write-batch';
import { createReadHandler } from './read';
import { createReadMarkStore } from './read-marks';
import { createReadersHandler } from './readers';
import { createRevokeHandler } from './revoke';
import { createSendHandler } from './send';
import { createTypingHandler } from './typing';
import { createTimelineStore } from '../timeline/timeline-store';
import { createTimelineHandlers } from '../timeline/timeline-handlers';
import { createTimelineFanout } from '../timeline/timeline-fanout';
import { copyTimelinesToInbox } from '../timeline/timeline-legacy';
import { TIMELINE_MIN_MINOR } from '../timeline/timeline-delivery';
import { pushAppended } from '../sync/push';

export interface ChatDeps extends ServerDeps {
  /** Makes a user known to the app when a message names one never seen; the identity service's. */
  readonly ensureUser?: (appId: string, userId: string) => void;
  /** How long a sender may revoke a message; 2 minutes by default. */
  readonly revokeWindowMs?: number;
  /** Each sender's stored-content budget (token bucket); DEFAULT_CONTENT_BUDGET when absent. */
  readonly contentBytesPerSecond?: number;
  readonly contentBurstBytes?: number;
  /** SYNC pages larger than this are deflated; the wire default when absent. */
  readonly compressThresholdBytes?: number;
  /** The file service's check of media messages. */
  readonly media?: MediaReferences;
  /** A group with at least this many members is read-diffused (docs/server.md); Infinity: never. */
  readonly groupTimelineThreshold?: number;
  /** Timeline entries one copy into a 2.0 client's inbox reads at most; 1000 when absent. */
  readonly legacyCopyEntriesPerCall?: number;
  /** A large group's pushes leave at most once per this long (tuning.largeGroupPushIntervalMs); 0 when absent. */
  readonly largeGroupPushIntervalMs?: number;
  /** Each group commit's duration in seconds (the server's metrics). */
  readonly onCommit?: (seconds: number) => void;
  /** A cluster node: the other nodes send a large group's waiting pushes (TimelineFanoutDeps.othersWaiting). */
  readonly othersWaiting?: (appId: string, groupId: string) => Promise<void> | undefined;
}

export interface ChatService {
  readonly handlers: HandlerTable;
  /** The inbox head for LOGIN_RESULT; a 2.0 client's user first gets its timelines copied in. */
  inboxHead(appId: string, userId: string, clientMinor?: number): { maxSeq: number; confirmedSeq: number };
  /** Commits the SENDs waiting for the end of this turn; before the database closes. */
  flushWrites(): void;
  /** Pushes a large group's coalesced timeline entries now (another cluster node asks, before its notice of the group goes out). */
  flushGroupPushes(appId: string, groupId: string): void;
  /**
   * Runs `deliver` (a change's notices) after the coalesced timeline entries of those of the groups
   * that are large have left, on every node (TimelineFanout.afterWaiting); undefined when it ran at once.
   */
  afterGroupPushes(appId: string, groupIds: readonly string[], deliver: () => void): Promise<void> | undefined;
}

/** Messages, the seq inbox and its sync: SEND, SYNC, CONFIRM, REVOKE, READ, TYPING, READERS_QUERY. */
export function createChatService(deps: ChatDeps): ChatService {
  const inbox = createInboxStore(deps.db);
  const messages = createMessageStore(deps.db, { settledSeq: inbox.settledSeq });
  const timelineStore = createTimelineStore(deps.db);
  const threshold = deps.groupTimelineThreshold ?? Infinity;
  const legacyCopyEntries = deps.legacyCopyEntriesPerCall ?? 1000;
  const ctx: ChatContext = {
    db: deps.db,
    clock: deps.clock,
    delivery: deps.delivery,
    log: deps.log,
    writes: createWriteBatch(deps.db, {
      onRetry: (error) => deps.log.debug({ err: error }, 'a SEND failed in a shared commit; the batch runs again with a savepoint each'),
      ...(deps.onCommit ? { onCommit: deps.onCommit } : {}),
      // the timeline heads first (locked as SENDs reach them; a rerun locks them first), then the
      // message rows, then the inbox rows that point at them
      hooks: [timelineStore.batchHooks, messages.batchHooks, inbox.batchHooks],
    }),
    inbox,
    messages,
    readMarks: createReadMarkStore(deps.db),
    membership: createMembershipStore(deps.db),
    ensureUser: deps.ensureUser ?? (() => undefined),
    revokeWindowMs: deps.revokeWindowMs ?? DEFAULT_REVOKE_WINDOW_MS,
    ...(deps.media ? { media: deps.media } : {}),
    contentBudget: createContentBudget({
      clock: deps.clock,
      bytesPerSecond: deps.contentBytesPerSecond ?? DEFAULT_CONTENT_BUDGET.bytesPerSecond,
      burstBytes: deps.contentBurstBytes ?? DEFAULT_CONTENT_BUDGET.burstBytes,
    }),
    timelines: {
      store: timelineStore,
      threshold,
      legacyCopyEntries,
      fanout: createTimelineFanout({
        delivery: deps.delivery,
        clock: deps.clock,
        intervalMs: deps.largeGroupPushIntervalMs ?? 0,
        ...(deps.othersWaiting ? { othersWaiting: deps.othersWaiting } : {}),
      }),
    },
  };
  const compressThresholdBytes = deps.compressThresholdBytes ?? DEFAULT_WIRE_LIMITS.compressThresholdBytes;
  const sync = createSyncHandlers(inbox, compressThresholdBytes);
  const timeline = createTimelineHandlers(deps.db, timelineStore, compressThresholdBytes, ctx.writes);
  /**
   * Copies a bounded part of the backlog, and pushes the copies to the user's other sessions (the
   * asking one pulls them). Returns whether the backlog is all copied.
   */
  function copyForLegacy(appId: string, userId: string, exceptSessionId?: string): boolean {
    const { appended, done } = copyTimelinesToInbox(deps.db, timelineStore, inbox, appId, userId, legacyCopyEntries);
    // at a login there is no session yet: nothing to push, and no offline push for copies
    if (appended.length === 0 || !ctx.delivery.isOnline(appId, userId)) return done;
    pushAppended(ctx.delivery, appId, appended, exceptSessionId === undefined ? undefined : { userId, sessionId: exceptSessionId });
    return done;
  }

  return {
    handlers: {
      SEND: createSendHandler(ctx),
      SYNC: (call) => {
        // a 2.0 client reads large groups from its inbox: copy what it may read there first
        if ((call.caller.protocolMinor ?? 0) >= TIMELINE_MIN_MINOR) return sync.SYNC(call);
        const done = copyForLegacy(call.caller.appId, call.caller.userId, call.caller.sessionId);
        // a backlog left to copy: the client asks again, and that SYNC copies the next part
        return sync.page(call, !done);
      },
      CONFIRM: sync.CONFIRM,
      TIMELINE_SYNC: timeline.TIMELINE_SYNC,
      TIMELINE_CONFIRM: timeline.TIMELINE_CONFIRM,
      REVOKE: createRevokeHandler(ctx),
      READ: createReadHandler(ctx),
      TYPING: createTypingHandler(ctx),
      READERS_QUERY: createReadersHandler(ctx),
    },
    inboxHead: (appId, userId, clientMinor = TIMELINE_MIN_MINOR) => {
      if (clientMinor < TIMELINE_MIN_MINOR) copyForLegacy(appId, userId);
      return inbox.head(appId, userId);
    },
    flushGroupPushes: (appId, groupId) => ctx.timelines?.fanout.flushGroup(appId, groupId),
    afterGroupPushes(appId, groupIds, deliver) {
      const fanout = ctx.timelines?.fanout;
      // a small group has no timeline pushes to wait for (the lookup is the head's primary key)
      const large = fanout === undefined ? [] : groupIds.filter((groupId) => timelineStore.has(appId, groupId));
      if (fanout === undefined || large.length === 0) {
        deliver();
        return undefined;
      }
      // one group in practice (a GROUP operation changes one); several wait one inside the other
      const run = large.reduceRight<() => Promise<void> | undefined>((inner, groupId) => () => fanout.afterWaiting(appId, groupId, () => void inner()), () => {
        deliver();
        return undefined;
      });
      return run();
    },
    flushWrites: () => {
      ctx.writes.flush();
      // the pushes of what was just committed, rather than after the sockets close
      ctx.timelines?.fanout.flush();
    },
  };
}
