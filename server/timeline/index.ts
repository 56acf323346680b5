import type { TimelineFanout } from './timeline-fanout';
import type { TimelineStore } from './timeline-store';

export * from './timeline-delivery';
export * from './timeline-fanout';
export * from './timeline-store';

/** What chat needs to read-diffuse large groups: the store and the member count where it starts. */
export interface Timelines {
  readonly store: TimelineStore;
  /** A group with at least this many members is read-diffused (tuning.groupTimelineThreshold). */
  readonly threshold: number;
  /** Timeline entries one copy to a 2.0 client's inbox reads at most (tuning.legacyCopyEntriesPerCall). */
  readonly legacyCopyEntries: number;
  /** Pushes the timelines' entries to online members, coalesced per group (tuning.largeGroupPushIntervalMs). */
  readonly fanout: TimelineFanout;
}
