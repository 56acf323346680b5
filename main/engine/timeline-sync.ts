import type { pb } from '../../protocol';
import type { Clock } from '../../protocol';
import { MAX_TIMELINE_CONFIRM_CURSORS } from '../../protocol';
import { ConfirmTimer } from './confirm-timer';
import type { Link } from './link';

/** Timelines came with protocol 2.1: a 2.0 server would close the connection on TIMELINE_SYNC. */
export const TIMELINE_MIN_SERVER_MINOR = 1;

/** One timeline's entries to store, and the seq its cursor rises to with them. */
export interface TimelineSliceToApply {
  readonly groupId: string;
  readonly entries: readonly pb.Entry[];
  readonly upToSeq: number;
}

/** Where a large group's timeline entries go: the client store, behind this narrow seam. */
export interface TimelineLedger {
  /** The newest stored seq of every timeline known here. */
  cursors(): ReadonlyMap<string, number>;
  cursorOf(groupId: string): number;
  /**
   * Stores each slice's entries and raises its group's cursor to its upToSeq, atomically per
   * slice; applying twice changes nothing. A pushed entry is one slice; a TIMELINE_PAGE is all
   * its slices in one call, so what it brings is one batch, as a SYNC_PAGE is (one notification
   * budget for a catch-up of many groups, not one per group).
   */
  applyTimelines(slices: readonly TimelineSliceToApply[]): void | Promise<void>;
  /** The server has the TIMELINE_CONFIRM of these cursors. */
  confirmed?(cursors: ReadonlyMap<string, number>): void;
}

export interface TimelineSyncDeps {
  readonly ledger: TimelineLedger;
  readonly pageEntries: number;
  readonly confirmDelayMs: number;
  readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /**
   * A pull's progress, as the inbox's: entries stored so far, and that plus what the slices seen
   * so far say is left (a timeline not in a page yet adds to the target when it comes).
   */
  readonly onProgress?: (progress: { applied: number; target: number; done: boolean }) => void;
}

/**
 * The timelines of the user's large groups (docs/protocol.md section 7, "Large groups"): one
 * cursor per group. A pushed entry that continues its timeline is stored, a duplicate dropped, a
 * gap pulls; a pull asks for every timeline at once (TIMELINE_SYNC) until no slice has more; what
 * is stored is confirmed per timeline after its commit. It runs in the sync engine's queue, so
 * timeline and inbox entries are never applied at the same time and a pull follows the inbox's.
 */
export class TimelineSync {
  private link: Link | undefined;
  private pulling = false;
  private readonly confirmTimer: ConfirmTimer;
  private readonly sentConfirms = new Map<string, number>();
  /**
   * One's own messages this session sent to large groups, by group and timeline seq, from SEND
   * and its SENT (protocol 2.1's timeline_seq): the server pushes them to the other sessions only,
   * SENT stands for the push here. Applied when they continue their timeline, so the next entry
   * (someone's reply) needs no pull.
   */
  private readonly sentOwn = new Map<string, Map<number, pb.Entry>>();

  constructor(private readonly deps: TimelineSyncDeps) {
    this.confirmTimer = new ConfirmTimer(deps.clock, deps.confirmDelayMs, () => {
      if (this.link) this.confirmNow(this.link);
    });
  }

  attach(link: Link): void {
    this.link = link;
    this.sentConfirms.clear();
  }

  detach(): void {
    this.link = undefined;
    this.sentOwn.clear();
    this.confirmTimer.cancel();
  }

  /** Whether the server of the current link speaks timelines. */
  get enabled(): boolean {
    return (this.link?.serverMinor ?? 0) >= TIMELINE_MIN_SERVER_MINOR;
  }

  async applyPushed(entry: pb.Entry): Promise<void> {
    if (await this.applyInOrder(entry)) return;
    await this.pull(); // a gap, or a timeline new to this device
    this.forgetSent();
  }

  /**
   * The entry a SENT stands for (one's own message, at the timeline seq SENT gave): applied like
   * a push when it continues the timeline. Beyond a gap it waits: the entries before it are
   * others' messages still on their way (their pushes leave in timeline order, coalesced), and
   * the push that fills the gap applies it too; a timeline this device does not follow yet is
   * pulled by the next push, as before.
   */
  async applySent(entry: pb.Entry): Promise<void> {
    const groupId = entry.groupId;
    const seq = Number(entry.seq);
    if (seq <= this.deps.ledger.cursorOf(groupId)) return;
    let own = this.sentOwn.get(groupId);
    if (own === undefined) {
      own = new Map();
      this.sentOwn.set(groupId, own);
    }
    own.set(seq, entry);
    await this.applyInOrder(entry);
  }

  /**
   * Applies the entry when it continues its timeline, with one's own entries (from SENT) that
   * fill what lies before it and those that follow it; false when there is a gap.
   */
  private async applyInOrder(entry: pb.Entry): Promise<boolean> {
    const groupId = entry.groupId;
    const seq = Number(entry.seq);
    const cursor = this.deps.ledger.cursorOf(groupId);
    if (seq <= cursor) {
      this.forgetSent(groupId);
      return true; // already stored (a pull got it first)
    }
    const own = this.sentOwn.get(groupId);
    const run: pb.Entry[] = [];
    for (let next = cursor + 1; ; next++) {
      const found = next === seq ? entry : own?.get(next);
      if (found === undefined) break;
      run.push(found);
    }
    if (cursor + run.length < seq) return false;
    await this.deps.ledger.applyTimelines([{ groupId, entries: run, upToSeq: cursor + run.length }]);
    this.forgetSent(groupId);
    this.confirmTimer.schedule();
    return true;
  }

  /** Drops one's own entries now stored (of one group, or of all). */
  private forgetSent(groupId?: string): void {
    for (const [group, own] of this.sentOwn) {
      if (groupId !== undefined && group !== groupId) continue;
      const cursor = this.deps.ledger.cursorOf(group);
      for (const seq of own.keys()) if (seq <= cursor) own.delete(seq);
      if (own.size === 0) this.sentOwn.delete(group);
    }
  }

  async pull(): Promise<void> {
    if (this.pulling || !this.enabled) return;
    this.pulling = true;
    let applied = 0;
    const left = new Map<string, number>();
    try {
      for (;;) {
        const link = this.link;
        if (!link) return;
        const cursors = this.deps.ledger.cursors();
        const answer = await link.request('TIMELINE_SYNC', {
          cursors: [...cursors].map(([groupId, seq]) => ({ groupId, seq: BigInt(seq) })),
          limit: this.deps.pageEntries,
        });
        const toApply: TimelineSliceToApply[] = [];
        for (const slice of answer.body.slices) {
          const after = cursors.get(slice.groupId) ?? 0;
          const entries = slice.entries.filter((e) => Number(e.seq) > after);
          const last = entries.reduce((max, e) => Math.max(max, Number(e.seq)), after);
          // without more, the cursor steps to max_seq, past parts of the timeline that are not ours
          const upTo = slice.more ? last : Math.max(last, Number(slice.maxSeq));
          if (upTo > after) toApply.push({ groupId: slice.groupId, entries, upToSeq: upTo });
          applied += entries.length;
          left.set(slice.groupId, slice.more ? Math.max(0, Number(slice.maxSeq) - last) : 0);
        }
        if (toApply.length > 0) await this.deps.ledger.applyTimelines(toApply);
        this.confirmNow(link);
        const done = !answer.body.more;
        if (applied > 0) {
          const target = applied + [...left.values()].reduce((sum, n) => sum + n, 0);
          this.deps.onProgress?.({ applied, target: Math.max(target, applied), done });
        }
        if (done) break;
      }
    } finally {
      this.pulling = false;
    }
  }

  private confirmNow(link: Link): void {
    const fresh = new Map<string, number>();
    for (const [groupId, seq] of this.deps.ledger.cursors()) {
      if (seq > (this.sentConfirms.get(groupId) ?? 0)) fresh.set(groupId, seq);
    }
    if (fresh.size === 0) return;
    for (const [groupId, seq] of fresh) this.sentConfirms.set(groupId, seq);
    const cursors = [...fresh].map(([groupId, seq]) => ({ groupId, seq: BigInt(seq) }));
    // the server takes a bounded number of cursors per frame
    for (let i = 0; i < cursors.length; i += MAX_TIMELINE_CONFIRM_CURSORS) {
      link.fire('TIMELINE_CONFIRM', { cursors: cursors.slice(i, i + MAX_TIMELINE_CONFIRM_CURSORS) });
    }
    this.deps.ledger.confirmed?.(fresh);
  }
}
