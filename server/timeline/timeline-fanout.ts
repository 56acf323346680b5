import { bodyFrame, type Clock, type Frame, type TimerHandle } from '../../protocol';
import type { Delivery } from '../handler-types';
import type { Appended } from '../sync/inbox';
import { pushAppended } from '../sync/push';
import { TIMELINE_MIN_MINOR, type TimelinePush } from './timeline-delivery';

/** Copies large groups' timelines into these users' inboxes (their 2.0 clients); returns the copies. */
export type LegacyCopier = (userIds: readonly string[]) => Appended[];

export interface TimelineFanoutDeps {
  readonly delivery: Delivery;
  readonly clock: Clock;
  /** tuning.largeGroupPushIntervalMs: a group's pushes leave at most once per this long. */
  readonly intervalMs: number;
  /**
   * A cluster node: makes the other nodes send the group's entries waiting there; resolves once
   * they have left (or the nodes did not answer in time). Undefined: no other node to wait for.
   */
  readonly othersWaiting?: (appId: string, groupId: string) => Promise<void> | undefined;
}

/**
 * Pushes large groups' timeline entries to their online members, coalesced per group: the first
 * entry after a quiet spell leaves at the end of the turn that committed it; while a group is busy,
 * its entries wait until `intervalMs` after its last flush and then leave together, so a burst of N
 * messages costs each member one socket write, not N. Entries leave in the order they were given
 * (their timeline order: pushes are given after each commit, in commit order), each to the readers
 * it was stored for, once.
 */
export interface TimelineFanout {
  push(appId: string, push: TimelinePush, copyForLegacy?: LegacyCopier): void;
  /** Sends everything waiting now (before the server stops). */
  flush(): void;
  /**
   * Sends one group's waiting entries now: before a change of the group is pushed (a kick, a
   * join, a rename), so its members get the messages sent before it ahead of it, not after.
   */
  flushGroup(appId: string, groupId: string): void;
  /**
   * Runs `deliver` (the pushes of a change of the group, an @mention's inbox copies) after every
   * entry of the group given so far has left, on this node and, on a cluster node, on the others
   * (othersWaiting): at once when nothing else is to be waited for (undefined is returned), else
   * once the others answered, the group's entries given meanwhile waiting behind it, so nothing
   * said after the change reaches a member ahead of it. Resolves once `deliver` ran.
   */
  afterWaiting(appId: string, groupId: string, deliver: () => void): Promise<void> | undefined;
  /** Entries waiting, all groups together. */
  readonly pending: number;
}

/**
 * Pushes held until the other nodes sent the group's waiting entries (afterWaiting): this node's
 * entries given before them wait too (an entry of another node may come before them in the
 * timeline), and those given after them wait behind them.
 */
interface Held {
  ready: boolean;
  readonly before: TimelinePush[];
  readonly deliver: () => void;
  readonly entries: TimelinePush[];
  readonly done: () => void;
}

interface GroupQueue {
  readonly appId: string;
  /** The entries before the first held delivery (all of them when none is held). */
  entries: TimelinePush[];
  readonly held: Held[];
  copyForLegacy: LegacyCopier | undefined;
  timer: TimerHandle | undefined;
  /** A flush is due at the end of this turn. */
  soon: boolean;
}

export function createTimelineFanout(deps: TimelineFanoutDeps): TimelineFanout {
  const { clock, intervalMs } = deps;
  const groups = new Map<string, GroupQueue>();
  let pending = 0;

  function flushGroup(key: string, queue: GroupQueue): void {
    if (queue.timer !== undefined) clock.clearTimeout(queue.timer);
    queue.timer = undefined;
    queue.soon = false;
    const entries = queue.entries;
    if (entries.length === 0) return;
    queue.entries = [];
    pending -= entries.length;
    send(deps, queue.appId, entries, queue.copyForLegacy);
    // a group that stays quiet for a whole interval is forgotten (a new entry starts afresh)
    queue.timer = clock.setTimeout(() => {
      queue.timer = undefined;
      if (queue.entries.length > 0) flushGroup(key, queue);
      else if (queue.held.length === 0) groups.delete(key);
    }, intervalMs);
  }

  function queueOf(appId: string, groupId: string, copyForLegacy?: LegacyCopier): { key: string; queue: GroupQueue } {
    const key = `${appId}\u0000${groupId}`;
    let queue = groups.get(key);
    if (queue === undefined) {
      queue = { appId, entries: [], held: [], copyForLegacy, timer: undefined, soon: false };
      groups.set(key, queue);
    }
    return { key, queue };
  }

  /** Runs the held deliveries that are ready, in order, each followed by the entries given after it. */
  function release(key: string, queue: GroupQueue): void {
    while (queue.held[0]?.ready === true) {
      const held = queue.held.shift()!;
      queue.entries.push(...held.before);
      if (queue.entries.length > 0) flushGroup(key, queue);
      try {
        held.deliver();
      } finally {
        queue.entries.push(...held.entries);
        if (queue.entries.length > 0) flushGroup(key, queue);
        held.done();
      }
    }
  }

  return {
    get pending() {
      return pending;
    },
    push(appId, push, copyForLegacy) {
      const { key, queue } = queueOf(appId, push.entry.groupId, copyForLegacy);
      queue.copyForLegacy = copyForLegacy ?? queue.copyForLegacy;
      pending++;
      // behind a held delivery: leaves once it has gone
      const last = queue.held.at(-1);
      if (last !== undefined) {
        last.entries.push(push);
        return;
      }
      queue.entries.push(push);
      // waiting for the interval's timer (it flushes what it finds), or already due this turn
      if (queue.timer !== undefined || queue.soon) return;
      queue.soon = true;
      const ready = queue;
      // after every SEND committed in this turn has given its entry: they leave together
      queueMicrotask(() => {
        if (ready.soon) flushGroup(key, ready);
      });
    },
    flushGroup(appId, groupId) {
      const key = `${appId}\u0000${groupId}`;
      const queue = groups.get(key);
      if (queue !== undefined && queue.entries.length > 0) flushGroup(key, queue);
    },
    afterWaiting(appId, groupId, deliver) {
      const key = `${appId}\u0000${groupId}`;
      const existing = groups.get(key);
      const others = deps.othersWaiting?.(appId, groupId);
      if (others === undefined && (existing === undefined || existing.held.length === 0)) {
        if (existing !== undefined && existing.entries.length > 0) flushGroup(key, existing);
        deliver();
        return undefined;
      }
      const { queue } = queueOf(appId, groupId);
      return new Promise<void>((resolve) => {
        const held: Held = { ready: false, before: queue.entries, deliver, entries: [], done: resolve };
        queue.entries = [];
        queue.held.push(held);
        const ready = () => {
          held.ready = true;
          release(key, queue);
        };
        if (others === undefined) ready();
        else void others.then(ready, ready);
      });
    },
    flush() {
      for (const [key, queue] of groups) {
        flushGroup(key, queue);
        // stopping: what is held goes now, in order
        for (const held of queue.held) held.ready = true;
        release(key, queue);
        if (queue.timer !== undefined) clock.clearTimeout(queue.timer);
        queue.timer = undefined;
      }
      groups.clear();
    },
  };
}

/**
 * Sends a group's waiting entries: runs of consecutive entries stored for the same readers go out
 * as one write per member (a join or a kick between two messages starts a new run, so each member
 * gets only what it may read). Members online with a 2.0 client get inbox copies instead. A
 * message's sender gets it on its other sessions, one write each.
 */
function send(deps: TimelineFanoutDeps, appId: string, entries: readonly TimelinePush[], copyForLegacy: LegacyCopier | undefined): void {
  const legacy = new Set<string>();
  let start = 0;
  while (start < entries.length) {
    const readers = entries[start]!.readers;
    let end = start + 1;
    while (end < entries.length && sameReaders(entries[end]!.readers, readers)) end++;
    const run = entries.slice(start, end);
    const frames = run.map((push) => bodyFrame('PUSH', push.entry));
    for (const userId of sendRun(deps, appId, readers, frames, copyForLegacy !== undefined)) legacy.add(userId);
    // a message's sender is no reader of it, but its other 2.1 sessions are pushed it, after the
    // run and before the next one, so each gets the timeline in order (its 2.0 ones have the
    // sender's inbox copy)
    for (const [i, push] of run.entries()) {
      const sender = push.sender;
      if (sender !== undefined) deps.delivery.toUserSince?.(appId, sender.userId, TIMELINE_MIN_MINOR, frames[i]!, sender.sessionId);
    }
    start = end;
  }
  if (legacy.size > 0 && copyForLegacy !== undefined) pushAppended(deps.delivery, appId, copyForLegacy([...legacy]));
}

/** One run's frames to every reader; returns the readers online with a client below protocol 2.1. */
function sendRun(deps: TimelineFanoutDeps, appId: string, readers: readonly string[], frames: readonly Frame[], wantBelow: boolean): readonly string[] {
  const { delivery } = deps;
  if (delivery.toUsersSince !== undefined) return delivery.toUsersSince(appId, readers, TIMELINE_MIN_MINOR, frames).below;
  if (delivery.toUserSince === undefined) return [];
  const below: string[] = [];
  for (const reader of readers) {
    for (const frame of frames) delivery.toUserSince(appId, reader, TIMELINE_MIN_MINOR, frame);
    if (wantBelow && delivery.onlineBelow?.(appId, reader, TIMELINE_MIN_MINOR) === true) below.push(reader);
  }
  return below;
}

function sameReaders(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
