import type { pb } from '../../protocol';

/** Timeline entries are protocol 2.1: a 2.0 client would take their seqs for its inbox's. */
export const TIMELINE_MIN_MINOR = 1;

/** What a SEND or REVOKE to a read-diffused group pushes after its commit. */
export interface TimelinePush {
  readonly entry: pb.Entry;
  /** The members to push to (the sender's sessions have their own inbox copy). */
  readonly readers: readonly string[];
}
