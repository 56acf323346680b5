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
  /** Entries waiting, all groups together. */
  readonly pending: number;
}

interface GroupQueue {
  readonly appId: string;
  entries: TimelinePush[];
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
      else groups.delete(key);
    }, intervalMs);
  }

  return {
    get pending() {
      return pending;
    },
    push(appId, push, copyForLegacy) {
      const key = `${appId}\u0000${push.entry.groupId}`;
      let queue = groups.get(key);
      if (queue === undefined) {
        queue = { appId, entries: [], copyForLegacy, timer: undefined, soon: false };
        groups.set(key, queue);
      }
      queue.entries.push(push);
      queue.copyForLegacy = copyForLegacy ?? queue.copyForLegacy;
      pending++;
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
    flush() {
      for (const [key, queue] of groups) {
        flushGroup(key, queue);
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
