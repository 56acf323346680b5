import { create } from '@bufbuild/protobuf';
import { ErrorCode, isGroupId, MagpieError, pb, type AnswerTo, type Clock, type DecodedFrame, type TimerHandle } from '../../protocol';
import type { Link } from './link';
import { ConfirmTimer } from './confirm-timer';
import { TimelineSync, type TimelineLedger } from './timeline-sync';

/** Where synced entries go: the client store, behind this narrow seam. */
export interface SyncLedger {
  /** The newest seq whose entry is stored (0 for a new profile). */
  lastAppliedSeq(): number;
  /**
   * Stores entries and advances the last applied seq to upToSeq, in one transaction, so a crash
   * leaves either all of it or none. Applying an entry twice must change nothing.
   */
  applyEntries(entries: readonly pb.Entry[], upToSeq: number): void | Promise<void>;
  /**
   * An entry that cannot be read even alone (its page is too large or does not decode): the last
   * applied seq moves past it, or the client would ask for it again for ever.
   */
  skipEntry(seq: number, reason: MagpieError): void | Promise<void>;
}

/** Codes of an answer whose frame arrived whole but whose body cannot be read. */
const UNREADABLE_BODY: ReadonlySet<number> = new Set([ErrorCode.BODY_TOO_LARGE, ErrorCode.BAD_BODY, ErrorCode.DECOMPRESSION_FAILED]);

function isUnreadableBody(error: unknown): error is MagpieError {
  return error instanceof MagpieError && UNREADABLE_BODY.has(error.code);
}

export interface SyncProgress {
  readonly applied: number;
  readonly target: number;
  readonly done: boolean;
}

export interface SyncEngineDeps {
  readonly ledger: SyncLedger;
  readonly pageEntries: number;
  readonly confirmDelayMs: number;
  /** How long TIMELINE_CONFIRMs of pushed entries are coalesced (EngineTuning); default confirmDelayMs. */
  readonly timelineConfirmDelayMs?: number;
  readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Entries with seq 0: shown, never stored (transient custom messages). */
  readonly onTransient: (entry: pb.Entry) => void;
  readonly onProgress: (progress: SyncProgress) => void;
  readonly onError: (error: unknown) => void;
  /** A pull that failed on a link still up (a timeout, a store error) is tried again after this long. */
  readonly retryDelayMs: number;
  /** The large groups' timelines (protocol 2.1); absent, entries with a group_id are ignored. */
  readonly timelines?: TimelineLedger;
}

/**
 * Push-pull sync. Pushed entries are applied when they continue the sequence; a gap or a NOTIFY
 * pulls from the last applied seq in pages until caught up. Every application runs through one
 * queue, so entries are stored in seq order and never twice; the stored seq is confirmed after
 * its transaction commits, never before, or a crash would lose what was confirmed.
 */
export class SyncEngine {
  private link: Link | undefined;
  private queue: Promise<void> = Promise.resolve();
  private pulling = false;
  private headSeen = 0;
  private readonly confirmTimer: ConfirmTimer;
  private retryTimer: TimerHandle | undefined;
  private confirmedSeq = 0;
  /**
   * One's own messages this session sent, by seq, built from SEND and its SENT: the server pushes
   * them to the other sessions only, SENT stands for the push here. Applied when they continue
   * the sequence, so the next entry (a reply) needs no pull.
   */
  private readonly sentOwn = new Map<number, pb.Entry>();
  private readonly timelines: TimelineSync | undefined;

  constructor(private readonly deps: SyncEngineDeps) {
    this.confirmTimer = new ConfirmTimer(deps.clock, deps.confirmDelayMs, () => {
      if (this.link) this.confirmNow(this.link);
    });
    this.timelines =
      deps.timelines === undefined
        ? undefined
        : new TimelineSync({
            ledger: deps.timelines,
            pageEntries: deps.pageEntries,
            confirmDelayMs: deps.timelineConfirmDelayMs ?? deps.confirmDelayMs,
            clock: deps.clock,
            onProgress: deps.onProgress,
          });
  }

  /** A new login: catch up from the stored seq to the inbox head it announced. */
  attach(link: Link, login: Pick<pb.LoginResult, 'maxSeq' | 'confirmedSeq'>): void {
    this.link = link;
    this.confirmedSeq = 0;
    this.headSeen = Math.max(this.headSeen, Number(login.maxSeq));
    this.timelines?.attach(link);
    this.enqueue(() => this.pull());
    // after the inbox: a revoke in a timeline may name a message the inbox brings
    if (this.timelines) this.enqueue(() => this.timelines!.pull());
  }

  detach(): void {
    this.link = undefined;
    this.sentOwn.clear();
    this.timelines?.detach();
    this.confirmTimer.cancel();
    if (this.retryTimer) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Resolves when everything queued so far has been applied. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Frames pushed by the server that concern sync: PUSH and NOTIFY. Returns false for others. */
  handlePush(frame: DecodedFrame): boolean {
    if (frame.name === 'PUSH') {
      const entry = frame.body;
      if (entry.seq === 0n) {
        this.deps.onTransient(entry);
        return true;
      }
      if (entry.groupId !== '') {
        // a large group's timeline entry: its seq is the timeline's, never the inbox's
        const timelines = this.timelines;
        if (timelines) this.enqueue(() => timelines.applyPushed(entry));
        return true;
      }
      this.headSeen = Math.max(this.headSeen, Number(entry.seq));
      this.enqueue(() => this.applyPushed(entry));
      return true;
    }
    if (frame.name === 'NOTIFY') {
      // "pull": the server may have dropped pushes (a cluster node cut off, a slow link), of the
      // inbox or of a large group's timeline, so both are pulled
      this.headSeen = Math.max(this.headSeen, Number(frame.body.maxSeq));
      this.enqueue(() => this.pull());
      const timelines = this.timelines;
      if (timelines) this.enqueue(() => timelines.pull());
      return true;
    }
    return false;
  }

  /**
   * The SENT of one of this session's messages: its entry (the own copy, seq from SENT) is applied
   * like a push when it is the next seq, and fills a gap a later push would otherwise pull for.
   * A large group's message also has its place in the group's timeline (SENT.timeline_seq, 0 from
   * a server that does not say it): the same message is applied there, after the inbox's copy.
   */
  handleSent(entry: pb.Entry, timelineSeq = 0): void {
    const seq = Number(entry.seq);
    if (seq === 0) return; // transient: never stored
    this.headSeen = Math.max(this.headSeen, seq);
    this.sentOwn.set(seq, entry);
    this.enqueue(() => this.applyPushed(entry));
    const timelines = this.timelines;
    const message = entry.item.case === 'message' ? entry.item.value : undefined;
    if (timelineSeq > 0 && timelines !== undefined && message !== undefined && isGroupId(message.to)) {
      const own = create(pb.EntrySchema, { seq: BigInt(timelineSeq), groupId: message.to, item: { case: 'message', value: message } });
      this.enqueue(() => timelines.applySent(own));
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.deps.onError(error);
      this.retryLater();
    });
  }

  /**
   * Entries the server announced must not wait for the next push: pull again soon, the inbox and
   * then the timelines (a failed timeline pull would otherwise wait for the group's next message).
   */
  private retryLater(): void {
    const link = this.link;
    if (!link || this.retryTimer) return;
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.link !== link || !link.isOpen) return;
      this.enqueue(() => this.pull());
      const timelines = this.timelines;
      if (timelines) this.enqueue(() => timelines.pull());
    }, this.deps.retryDelayMs);
  }

  private async applyPushed(entry: pb.Entry): Promise<void> {
    const seq = Number(entry.seq);
    const last = this.deps.ledger.lastAppliedSeq();
    if (seq <= last) return this.forgetSent(last); // already stored (a pull got it first)
    // one's own messages answered by SENT may fill what lies between
    const run: pb.Entry[] = [];
    for (let s = last + 1; s < seq; s++) {
      const own = this.sentOwn.get(s);
      if (own === undefined) break;
      run.push(own);
    }
    if (seq === last + 1 + run.length) {
      run.push(entry);
      await this.deps.ledger.applyEntries(run, seq);
      this.forgetSent(seq);
      this.confirmTimer.schedule();
      return;
    }
    await this.pull(); // a gap: something was missed
    this.forgetSent(this.deps.ledger.lastAppliedSeq());
  }

  private forgetSent(upToSeq: number): void {
    for (const seq of this.sentOwn.keys()) if (seq <= upToSeq) this.sentOwn.delete(seq);
  }

  private async pull(): Promise<void> {
    if (this.pulling) return;
    this.pulling = true;
    const start = this.deps.ledger.lastAppliedSeq();
    // after a page that could not be read: one entry at a time, to find the one at fault
    let singly = false;
    try {
      for (;;) {
        const link = this.link;
        if (!link) return;
        const last = this.deps.ledger.lastAppliedSeq();
        if (last >= this.headSeen) {
          this.deps.onProgress({ applied: last - start, target: last - start, done: true });
          break;
        }
        let answer: AnswerTo<'SYNC'>;
        try {
          answer = await link.request('SYNC', { afterSeq: BigInt(last), limit: singly ? 1 : this.deps.pageEntries });
        } catch (error) {
          if (!isUnreadableBody(error)) throw error;
          if (!singly) {
            singly = true;
            continue;
          }
          await this.deps.ledger.skipEntry(last + 1, error);
          this.confirmNow(link);
          continue;
        }
        singly = false;
        const page = answer.body;
        this.headSeen = Math.max(this.headSeen, Number(page.maxSeq));
        const entries = page.entries.filter((e) => Number(e.seq) > last);
        const upTo = entries.reduce((max, e) => Math.max(max, Number(e.seq)), last);
        if (entries.length > 0) await this.deps.ledger.applyEntries(entries, upTo);
        this.confirmNow(link);
        const done = !page.more || entries.length === 0;
        this.deps.onProgress({ applied: upTo - start, target: Math.max(0, this.headSeen - start), done });
        if (done) break;
      }
    } finally {
      this.pulling = false;
    }
  }

  private confirmNow(link: Link): void {
    const seq = this.deps.ledger.lastAppliedSeq();
    if (seq <= this.confirmedSeq) return;
    this.confirmedSeq = seq;
    link.fire('CONFIRM', { seq: BigInt(seq) });
  }
}
