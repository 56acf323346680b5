import type { SqlDatabase } from '../storage/sql-database';
import type { Logger } from 'pino';
import type { Clock } from '../../protocol';
import type { Delivery } from '../handler-types';
import type { MembershipStore } from '../groups/membership';
import type { InboxStore } from '../sync/inbox';
import type { MessageStore } from './message-store';
import type { WriteBatch } from '../storage/write-batch';
import type { MediaReferences } from './media-reference';
import type { ReadMarkStore } from './read-marks';
import type { ContentBudget } from './content-budget';
import type { Timelines } from '../timeline';

/** What the chat handlers share: the stores, the clock and the delivery to online sessions. */
export interface ChatContext {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly delivery: Delivery;
  readonly log: Logger;
  /** The turn's shared transaction, for SENDs (group commit). */
  readonly writes: WriteBatch;
  readonly inbox: InboxStore;
  readonly messages: MessageStore;
  readonly readMarks: ReadMarkStore;
  readonly membership: MembershipStore;
  /** Makes a user known to the app (a message to a user never seen before). */
  readonly ensureUser: (appId: string, userId: string) => void;
  readonly revokeWindowMs: number;
  /** The file service's check of media messages; absent, media passes as given. */
  readonly media?: MediaReferences;
  /** Stored-content bytes per sender over time. */
  readonly contentBudget: ContentBudget;
  /** Large groups' timelines (read diffusion); absent, every group is write-diffused. */
  readonly timelines?: Timelines;
}
