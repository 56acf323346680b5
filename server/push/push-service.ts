import { createHmac } from 'node:crypto';
import { greatest, type SqlDatabase } from '../storage/sql-database';
import type { Logger } from 'pino';
import { isGroupId, pb, type Clock, type TimerHandle } from '../../protocol';
import type { UserStore } from '../identity/users';
import type { Tuning } from '../tuning';
import { createPushQueue, type PendingPush, type PushItem, type PushMention } from './push-queue';
import { checkPushUrl, type PushSettings } from './push-settings';
import { createPushUnread } from './push-unread';

export type PushTuning = Pick<
  Tuning,
  'pushDelayMs' | 'pushMinIntervalMs' | 'pushRetryBaseMs' | 'pushRetryMaxMs' | 'pushMaxAttempts' | 'pushTimeoutMs' | 'pushConcurrency' | 'pushConcurrencyPerApp' | 'pushPreviewChars'
>;

export interface PushServiceDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly log: Logger;
  readonly users: UserStore;
  readonly settings: PushSettings;
  /** Whether the user has an online session now (the gateway's sessions). */
  readonly isOnline: (appId: string, userId: string) => boolean;
  /** Whether the user muted the one-to-one conversation with the peer (MUTE_UPDATE). */
  readonly isMuted?: (appId: string, userId: string, peer: string) => boolean;
  readonly tuning: PushTuning;
}

export interface PushService {
  /** A committed inbox entry for a user with no online session (Delivery.offline). */
  offline(appId: string, userId: string, entry: pb.Entry): void;
  /**
   * A large group's timeline message, inside its SEND's transaction (Delivery.offlineTimeline): an
   * @all queues, in one write that commits with the message, a push for every reader with no
   * online session and no inbox copy of it (those it names get theirs through `offline`).
   */
  offlineTimeline(appId: string, readers: readonly string[], entry: pb.Entry): void;
  /** Starts sending what is due, including what a previous run left in the table. */
  start(): void;
  stop(): Promise<void>;
  /** Recipients with a notification pending. */
  depth(): number;
}

/** The webhook's headers (docs/rest.md "Offline push"). */
export const PUSH_HEADERS = {
  timestamp: 'x-magpie-timestamp',
  signature: 'x-magpie-signature',
  pushId: 'x-magpie-push-id',
} as const;

/** hex HMAC-SHA256(secret, timestamp + "." + body): what X-Magpie-Signature carries after "v1=". */
export function pushSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** What every post to the webhook carries, a real push or the console's test: its time, its id, and the signature of time and body. */
export function pushHeaders(secret: string, timestamp: string, pushId: string, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    [PUSH_HEADERS.timestamp]: timestamp,
    [PUSH_HEADERS.signature]: `v1=${pushSignature(secret, timestamp, body)}`,
    [PUSH_HEADERS.pushId]: pushId,
  };
}

function keyOf(row: { readonly appId: string; readonly userId: string }): string {
  return `${row.appId}\u0000${row.userId}`;
}

/** Beyond the webhook's timeout, how long a node's claim on a push it sends lasts (PostgreSQL). */
export const PUSH_CLAIM_MARGIN_MS = 10_000;

/** A failing webhook is said at warn at most this often per app; the other failures go to debug. */
export const PUSH_FAILURE_LOG_INTERVAL_MS = 60_000;

/** How often a node on PostgreSQL looks for pushes other nodes queued (or left claimed when they died). */
export const PUSH_POLL_MS = 5_000;

/** A claimed push is another node's until the send ends, or this long after it was taken. */
export function pushClaimMs(tuning: Pick<Tuning, 'pushTimeoutMs'>): number {
  return tuning.pushTimeoutMs + PUSH_CLAIM_MARGIN_MS;
}

/**
 * Put before a push's body when a message mentions the recipient ("[@you]") or everyone
 * ("[@all]"), so a phone shows it even when the app hides content; a personal mention wins over
 * @all. English, like the body's other words ("New message", "[image]"); an app that wants another
 * language builds its own text from `mention`, `mentionKind` and `count`.
 */
export const MENTION_MARKS = { you: '[@you]', all: '[@all]' } as const;

/**
 * X-Magpie-Push-Id: the same on every retry of one push, another for the next. A push that covers
 * a large group's @all names its timeline seq too: the inbox's seq need not have moved since the
 * last push.
 */
export function pushIdOf(push: Pick<PendingPush, 'appId' | 'userId' | 'maxSeq' | 'timeline'>): string {
  const id = `${push.appId}:${push.userId}:${push.maxSeq}`;
  return push.timeline === null ? id : `${id}:${push.timeline.groupId}:${push.timeline.seq}`;
}

/** The push's ready-to-show text: the preview, or what stands in for it, marked when it mentions the recipient or everyone. */
export function pushBodyText(push: Pick<PendingPush, 'count' | 'preview' | 'mention'>): string {
  const text = push.count > 1 ? `${push.count} new messages` : (push.preview ?? 'New message');
  return push.mention === 'none' ? text : `${MENTION_MARKS[push.mention]} ${text}`;
}

const TYPE_PREVIEWS: Record<number, string> = {
  [pb.MessageType.VOICE]: '[voice]',
  [pb.MessageType.IMAGE]: '[image]',
  [pb.MessageType.FILE]: '[file]',
  [pb.MessageType.LOCATION]: '[location]',
  [pb.MessageType.CUSTOM]: '[custom]',
};

/**
 * The offline push: messages for users with no online session become rows of a durable queue
 * (merged per recipient), and a dispatcher posts each due row to the app's webhook, signed,
 * retrying with backoff. A row whose user came back online, or confirmed the messages, is dropped.
 */
export function createPushService(deps: PushServiceDeps): PushService {
  const { db, clock, log, users, settings, tuning } = deps;
  const queue = createPushQueue(db);
  const dndOf = db.prepare<[string, string, string], number>('SELECT dnd FROM group_members WHERE app_id = ? AND group_id = ? AND user_id = ?').pluck();
  const headOf = db.prepare<[string, string], { max_seq: number; confirmed_seq: number }>(
    'SELECT max_seq, confirmed_seq FROM inbox_heads WHERE app_id = ? AND user_id = ?',
  );
  const unread = createPushUnread(db);
  // how far the member's devices have the timeline: confirmed (2.1), or copied to the inbox of a
  // 2.0 client (copies are made only while it is online)
  const timelineSeenOf = db.prepare<{ appId: string; userId: string; groupId: string }, number>(`
    SELECT ${greatest(db)}(
      COALESCE((SELECT confirmed_seq FROM timeline_confirms WHERE app_id = @appId AND user_id = @userId AND group_id = @groupId), 0),
      COALESCE((SELECT copied_seq FROM timeline_legacy_copies WHERE app_id = @appId AND user_id = @userId AND group_id = @groupId), 0))`).pluck();
  // read when the push is sent, so a group renamed while its push waited is named as it is now
  const groupNameOf = db.prepare<[string, string], string>('SELECT name FROM groups WHERE app_id = ? AND group_id = ?').pluck();
  let buffered: PushItem[] = [];
  let flushScheduled = false;
  let timer: TimerHandle | undefined;
  let timerAtMs = Infinity;
  let running = false;
  let pollTimer: NodeJS.Timeout | undefined;
  // per app: when its last failure was logged at warn, and how many failed since
  const failureLog = new Map<string, { atMs: number; unlogged: number }>();

  /**
   * A developer whose webhook fails sees it in the log at the default level, at once rather than
   * when the last attempt gives up hours later, and one line a minute per app, not one per push.
   */
  function logFailure(push: PendingPush, error: unknown, attempts: number, waitMs: number): void {
    const now = clock.now();
    const last = failureLog.get(push.appId);
    if (last !== undefined && now - last.atMs < PUSH_FAILURE_LOG_INTERVAL_MS) {
      last.unlogged += 1;
      log.debug({ err: error, appId: push.appId, userId: push.userId, attempts, waitMs }, 'offline push failed; retrying later');
      return;
    }
    // fetch says only "fetch failed"; its cause names the refusal (ECONNREFUSED, a DNS failure)
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const reason = error instanceof Error ? `${error.message}${cause}` : String(error);
    failureLog.set(push.appId, { atMs: now, unlogged: 0 });
    log.warn(
      { appId: push.appId, userId: push.userId, attempts, waitMs, reason, failuresNotLogged: last?.unlogged ?? 0 },
      'offline push failed; retrying later (one line per app a minute)',
    );
  }
  const inFlight = new Map<string, Promise<void>>();
  // sends in flight per app: one app's slow or silent webhook holds at most its cap of the slots,
  // so the other apps' pushes still leave when due
  const inFlightOfApp = new Map<string, number>();
  const appCap = Math.max(1, Math.min(tuning.pushConcurrencyPerApp, tuning.pushConcurrency));
  const atCap = (appId: string) => (inFlightOfApp.get(appId) ?? 0) >= appCap;
  const appsAtCap = () => [...inFlightOfApp.keys()].filter(atCap);

  function itemOf(appId: string, userId: string, entry: pb.Entry): PushItem | undefined {
    if (entry.item.case !== 'message') return undefined;
    const message = entry.item.value;
    // a user's own copy (another device of the sender) is no news to them
    if (message.from === userId) return undefined;
    if (message.custom?.silent === true) return undefined;
    const group = isGroupId(message.to) ? message.to : undefined;
    const mention: PushMention =
      group === undefined ? 'none' : message.mentions.includes(userId) ? 'you' : message.mentionAll ? 'all' : 'none';
    // an @mention comes through a group's do-not-disturb, like in the apps people know
    if (group !== undefined && mention === 'none' && dndOf.get(appId, group, userId) === 1) return undefined;
    // a muted one-to-one conversation stays quiet on every device, the phone's included
    if (group === undefined && deps.isMuted?.(appId, userId, message.from) === true) return undefined;
    return {
      appId,
      userId,
      seq: Number(entry.seq),
      sender: message.from,
      senderNickname: '',
      conversation: group ?? message.from,
      preview: message.burnAfterReading ? null : previewOf(message),
      mention,
    };
  }

  function previewOf(message: pb.Message): string {
    if (message.type === pb.MessageType.TEXT) return [...message.text].slice(0, tuning.pushPreviewChars).join('');
    return TYPE_PREVIEWS[message.type] ?? '';
  }

  /** Committed in the turn after the message's own commit, all of a fan-out in one transaction. */
  function flush(): void {
    flushScheduled = false;
    const items = buffered;
    buffered = [];
    if (items.length === 0) return;
    const apps = new Map<string, { enabled: boolean; hide: boolean }>();
    const wanted: PushItem[] = [];
    for (const item of items) {
      let app = apps.get(item.appId);
      if (!app) {
        const s = settings.get(item.appId);
        app = { enabled: s.url !== null, hide: s.hideContent };
        apps.set(item.appId, app);
      }
      if (!app.enabled) continue;
      const nickname = users.getUser(item.appId, item.sender)?.nickname || item.sender;
      wanted.push({ ...item, senderNickname: nickname, preview: app.hide ? null : item.preview });
    }
    if (wanted.length === 0) return;
    try {
      queue.enqueue(wanted, clock.now(), tuning.pushDelayMs, tuning.pushMinIntervalMs);
    } catch (error) {
      log.error({ err: error, count: wanted.length }, 'could not queue offline pushes');
      return;
    }
    schedule();
  }

  /** A timer's work: a storage failure there (a lost database connection) is logged, never thrown out of the timer. */
  function inTimer(work: () => void): void {
    try {
      work();
    } catch (error) {
      log.warn({ err: error }, 'the offline push queue could not be read; trying again later');
    }
  }

  function schedule(): void {
    if (!running) return;
    // the rows in flight, and those of apps at their cap, wait for a send to end, which schedules
    // again: a timer for them now would only find them again and again
    const earliest = queue.nextDue(inFlight.size + 1, appsAtCap()).find((row) => !inFlight.has(keyOf(row)))?.dueMs;
    if (earliest === undefined || earliest >= timerAtMs) return;
    if (earliest <= clock.now() && inFlight.size >= tuning.pushConcurrency) return;
    if (timer) clock.clearTimeout(timer);
    timerAtMs = earliest;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerAtMs = Infinity;
      inTimer(pass);
    }, Math.max(0, earliest - clock.now()));
  }

  function pass(): void {
    if (!running) return;
    const now = clock.now();
    queue.sweep(now, tuning.pushMinIntervalMs);
    // an app reaching its cap leaves its other rows to the next round, which reads past them to the
    // other apps' rows; each such round caps one more app, so the rounds end
    for (let again = true; again && inFlight.size < tuning.pushConcurrency; ) {
      again = false;
      const free = tuning.pushConcurrency - inFlight.size;
      // on SQLite rows in flight here are read again and skipped; on PostgreSQL they are claimed
      const limit = db.dialect === 'postgres' ? free : tuning.pushConcurrency + inFlight.size;
      for (const push of queue.due(now, limit, pushClaimMs(tuning), appsAtCap())) {
        const key = keyOf(push);
        if (inFlight.has(key)) continue;
        if (inFlight.size >= tuning.pushConcurrency || atCap(push.appId)) {
          queue.unclaim(push);
          again ||= inFlight.size < tuning.pushConcurrency;
          continue;
        }
        if (cameBack(push)) {
          queue.drop(push);
          continue;
        }
        inFlightOfApp.set(push.appId, (inFlightOfApp.get(push.appId) ?? 0) + 1);
        const sending = deliver(push).finally(() => {
          inFlight.delete(key);
          const left = (inFlightOfApp.get(push.appId) ?? 1) - 1;
          if (left > 0) inFlightOfApp.set(push.appId, left);
          else inFlightOfApp.delete(push.appId);
          schedule();
        });
        inFlight.set(key, sending);
      }
    }
    schedule();
    // rows still due but skipped (in flight, over the concurrency or their app's cap) are picked up when a send ends
  }

  /** Online now, or every merged message confirmed (the inbox's, and a large group's @all in its timeline): the notification has nothing to say. */
  function cameBack(push: PendingPush): boolean {
    if (deps.isOnline(push.appId, push.userId)) return true;
    const head = headOf.get(push.appId, push.userId);
    if ((head?.confirmed_seq ?? 0) < push.maxSeq || (head === undefined && push.timeline === null)) return false;
    if (push.timeline === null) return true;
    return (timelineSeenOf.get({ appId: push.appId, userId: push.userId, groupId: push.timeline.groupId }) ?? 0) >= push.timeline.seq;
  }

  async function deliver(push: PendingPush): Promise<void> {
    const app = settings.get(push.appId);
    if (app.url === null || app.secret === null) {
      queue.drop(push);
      return;
    }
    const head = headOf.get(push.appId, push.userId);
    const isGroup = isGroupId(push.conversation);
    // the body is signed as sent, so the signature covers groupName like every other field
    const body = JSON.stringify({
      type: 'magpie.push',
      appId: push.appId,
      recipient: push.userId,
      sender: push.sender,
      senderNickname: push.senderNickname,
      conversation: push.conversation,
      isGroup,
      groupName: isGroup ? (groupNameOf.get(push.appId, push.conversation) ?? null) : null,
      mention: push.mention !== 'none',
      mentionKind: push.mention === 'none' ? null : push.mention,
      count: push.count,
      unread: unread.of(push, head),
      preview: push.count === 1 ? push.preview : null,
      title: push.senderNickname,
      body: pushBodyText(push),
      maxSeq: push.maxSeq,
    });
    const timestamp = String(clock.now());
    try {
      checkPushUrl(app.url);
      const response = await fetch(app.url, {
        method: 'POST',
        redirect: 'error',
        signal: AbortSignal.timeout(tuning.pushTimeoutMs),
        headers: pushHeaders(app.secret, timestamp, pushIdOf(push), body),
        body,
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the push endpoint answered HTTP ${response.status}`);
      if (running) queue.sent(push, clock.now(), tuning.pushMinIntervalMs);
      // the webhook works again: its next failure is said at once
      failureLog.delete(push.appId);
    } catch (error) {
      if (!running) return;
      const attempts = push.attempts + 1;
      if (attempts >= tuning.pushMaxAttempts) {
        log.warn({ err: error, appId: push.appId, userId: push.userId, attempts }, 'offline push dropped after its last attempt');
        queue.drop(push);
        return;
      }
      const waitMs = Math.min(tuning.pushRetryMaxMs, tuning.pushRetryBaseMs * 2 ** push.attempts);
      logFailure(push, error, attempts, waitMs);
      queue.retryAt(push, clock.now() + waitMs);
    }
  }

  return {
    offline(appId, userId, entry) {
      const item = itemOf(appId, userId, entry);
      if (!item) return;
      buffered.push(item);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    offlineTimeline(appId, readers, entry) {
      if (entry.item.case !== 'message') return;
      const message = entry.item.value;
      // an @all comes through a member's do-not-disturb, as in a small group (itemOf)
      if (!message.mentionAll || message.custom?.silent === true) return;
      const app = settings.get(appId);
      if (app.url === null) return;
      const named = new Set(message.mentions);
      // the sender is no reader; a member it names has an inbox copy, pushed as "[@you]"
      const userIds = readers.filter((user) => user !== message.from && !named.has(user) && !deps.isOnline(appId, user));
      if (userIds.length === 0) return;
      queue.enqueueTimeline(
        {
          appId,
          userIds,
          groupId: entry.groupId,
          timelineSeq: Number(entry.seq),
          sender: message.from,
          senderNickname: users.getUser(appId, message.from)?.nickname || message.from,
          preview: app.hideContent || message.burnAfterReading ? null : previewOf(message),
        },
        clock.now(),
        tuning.pushDelayMs,
        tuning.pushMinIntervalMs,
      );
      // after the SEND's commit: a timer set now would only find the rows due later anyway
      setImmediate(() => inTimer(schedule));
    },
    start() {
      running = true;
      pass();
      // PostgreSQL: other nodes queue pushes too, and one that dies leaves its claims to run out;
      // wall-clock time, as it watches other processes
      if (db.dialect === 'postgres') {
        pollTimer = setInterval(() => inTimer(schedule), PUSH_POLL_MS);
        pollTimer.unref();
      }
    },
    async stop() {
      flush();
      running = false;
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = undefined;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      timerAtMs = Infinity;
      await Promise.allSettled([...inFlight.values()]);
    },
    depth: () => queue.depth(),
  };
}
