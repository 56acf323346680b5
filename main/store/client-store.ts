import type { Database } from 'better-sqlite3';
import type { WalWorkerStopOutcome } from '../../platform/sqlite';
import { systemClock, type Clock } from '../../protocol';
import { createConversationStore, type ConversationStore } from './conversation-store';
import { clientStorePath, openClientDatabase } from './database';
import { createGroupStore, type GroupStore } from './group-store';
import { createInboxIngest, type InboxIngest } from './inbox-ingest';
import { createListenCursorStore, type ListenCursorStore } from './listen-cursor-store';
import { createMessageSearch, type MessageSearch } from './message-search';
import { createMessageStore, type MessageStore } from './message-store';
import type { MigrationOutcome } from './migrate';
import { createNoticeStore, type NoticeStore } from './notice-store';
import { createOutboxStore, type OutboxStore } from './outbox-store';
import { createPendingCreateStore, type PendingCreateStore } from './pending-create-store';
import { createSyncStateStore, type SyncStateStore } from './sync-state-store';
import { createUploadStore, type UploadStore } from './upload-store';
import { createUserStore, type UserStore } from './user-store';
import { createTimelineCursorStore, type TimelineCursorStore } from './timeline-cursor-store';
import { createUnsentReadStore, type UnsentReadStore } from './unsent-read-store';

/**
 * One user's client database and its typed stores. The one writer of the file: the engine and
 * the services share this object, never a second connection for writes.
 */
export interface ClientStore {
  readonly file: string;
  readonly selfId: string;
  readonly db: Database;
  readonly migration: MigrationOutcome;
  readonly messages: MessageStore;
  readonly conversations: ConversationStore;
  readonly outbox: OutboxStore;
  /** Files media messages in the outbox wait for. */
  readonly uploads: UploadStore;
  readonly syncState: SyncStateStore;
  /** Large groups' timeline cursors (protocol 2.1). */
  readonly timelineCursors: TimelineCursorStore;
  /** Read marks the server has not yet accepted (sent after the next login). */
  readonly unsentReads: UnsentReadStore;
  /** How far the CLI's listen has printed (migration 0011). */
  readonly listenCursor: ListenCursorStore;
  /** Group creates sent and not answered yet, with their request ids (migration 0012). */
  readonly pendingCreates: PendingCreateStore;
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly notices: NoticeStore;
  readonly search: MessageSearch;
  readonly ingest: InboxIngest;
  /** Runs fn in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;
  /** WAL checkpoints run in a worker every second; this asks for one now. */
  checkpointSoon(): void;
  /** Closes the database; `closed` resolves once the checkpoint worker has let go of the file too. */
  close(): void;
  readonly closed: Promise<WalWorkerStopOutcome>;
}

export interface OpenClientStoreOptions {
  /** The profile folder; the database is <profileDir>/<appId>/<userId>/magpie.db. */
  readonly profileDir: string;
  readonly appId: string;
  readonly userId: string;
  readonly clock?: Pick<Clock, 'now'>;
}

export function openClientStore(options: OpenClientStoreOptions): ClientStore {
  const file = clientStorePath(options.profileDir, options.appId, options.userId);
  return openClientStoreFile(file, options.userId, options.clock);
}

/** Opens a database at an explicit path (or ':memory:'), for tools and tests. */
export function openClientStoreFile(file: string, selfId: string, clock: Pick<Clock, 'now'> = systemClock): ClientStore {
  const opened = openClientDatabase(file);
  const { db, migration } = opened;
  const messages = createMessageStore(db);
  const conversations = createConversationStore(db, messages);
  const uploads = createUploadStore(db);
  const outbox = createOutboxStore(db, messages, conversations, uploads);
  // a receipt deletes its outbox row; rows an earlier version kept after theirs go on opening
  outbox.purgeSent();
  const syncState = createSyncStateStore(db);
  const timelineCursors = createTimelineCursorStore(db);
  const unsentReads = createUnsentReadStore(db);
  const listenCursor = createListenCursorStore(db);
  const pendingCreates = createPendingCreateStore(db);
  const users = createUserStore(db);
  const groups = createGroupStore(db);
  const notices = createNoticeStore(db);
  const search = createMessageSearch(db);
  const ingest = createInboxIngest({ db, selfId, clock, messages, conversations, outbox, notices, groups, syncState, timelineCursors });
  return {
    file,
    selfId,
    db,
    migration,
    messages,
    conversations,
    outbox,
    uploads,
    syncState,
    timelineCursors,
    unsentReads,
    listenCursor,
    pendingCreates,
    users,
    groups,
    notices,
    search,
    ingest,
    transaction: (fn) => db.transaction(fn)(),
    checkpointSoon: () => opened.checkpointSoon(),
    close: () => opened.close(),
    closed: opened.closed,
  };
}
