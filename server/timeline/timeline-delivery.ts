import type { pb } from '../../protocol';
import type { SkipSession } from '../sync/push';

/** Timeline entries are protocol 2.1: a 2.0 client would take their seqs for its inbox's. */
export const TIMELINE_MIN_MINOR = 1;

/** What a SEND or REVOKE to a read-diffused group pushes after its commit. */
export interface TimelinePush {
  readonly entry: pb.Entry;
  /** The members to push to. */
  readonly readers: readonly string[];
  /**
   * A message's sender, when not among the readers: its sessions but the sending one (which has
   * the entry's seq in SENT) are pushed the entry too, so each of its devices' cursors moves on.
   */
  readonly sender?: SkipSession;
}
