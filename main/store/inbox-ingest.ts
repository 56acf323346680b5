import type { Database } from 'better-sqlite3';
import { isGroupId, pb, type Clock } from '../../protocol';
import { createConversationBatch } from './conversation-batch';
import type { ConversationStore } from './conversation-store';
import type { GroupStore } from './group-store';
import { newMessageFromWire, type StoredMessage } from './message-record';
import type { MessageStore } from './message-store';
import { noticeFromWire, type NoticeStore, type StoredNotice } from './notice-store';
import type { OutboxStore } from './outbox-store';
import type { SyncStateStore } from './sync-state-store';
import type { TimelineCursorStore } from './timeline-cursor-store';

export interface ReadReceiptApplied {
  readonly conversation: string;
  readonly reader: string;
  readonly upToMsgId: number;
}

/** What a page changed, for the services' events. Duplicates (entries already applied) appear nowhere. */
export interface IngestResult {
  /** sync_state.appliedSeq after the page. */
  readonly appliedSeq: number;
  /** Entries with a seq, applied or found already applied. */
  readonly storedEntries: number;
  /** Entries with seq 0 (transient): not stored, left to the caller. */
  readonly transientEntries: number;
  /** Messages stored for the first time, in seq order. */
  readonly messages: StoredMessage[];
  /** Messages sent from this device whose server copy arrived: now sent, with server ids. */
  readonly ownMessagesConfirmed: StoredMessage[];
  readonly revoked: StoredMessage[];
  readonly burned: StoredMessage[];
  readonly readReceipts: ReadReceiptApplied[];
  readonly notices: StoredNotice[];
  /** Conversations whose row changed. */
  readonly conversations: string[];
}

export interface IngestOptions {
  /**
   * The seq these entries bring the inbox up to, when it is past their last seq (a sync page that
   * ends in seqs with nothing to store). appliedSeq rises to it with the last chunk.
   */
  readonly upToSeq?: number;
  /** Work done between two yields to the event loop (default 4 ms: with the commit and a minor GC it stays well inside a 16 ms frame). */
  readonly budgetMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Applies inbox entries (messages, notices, revokes, read receipts, burns) to the store.
 * Idempotent: every entry is keyed (msg_id, notice seq) or monotonic (read up to, revoked, burned),
 * so a page applied twice changes nothing. appliedSeq rises in the same transaction as the
 * entries, so a crash never leaves it ahead of what is stored.
 */
export interface InboxIngest {
  /** One page in one transaction: for pages of a few hundred entries (a sync page, a push). */
  ingestPage(entries: readonly pb.Entry[], upToSeq?: number): IngestResult;
  /**
   * Any number of entries in chunks of budgetMs of work, each chunk one transaction, yielding to
   * the event loop between chunks, so a catch-up of thousands never stalls the UI.
   */
  ingestEntries(entries: readonly pb.Entry[], options?: IngestOptions): Promise<IngestResult>;
  /**
   * Moves appliedSeq past an entry that cannot be read at all (nothing of it is known, not even
   * its conversation), so sync goes on after it. A message the server withheld is not this: it
   * arrives as a shell and is stored as a placeholder by the ingest itself.
   */
  skipEntry(seq: number): IngestResult;
  /**
   * Entries of one large group's timeline (protocol 2.1), in chunks like ingestEntries: the same
   * rules, but the group's timeline cursor rises (to upToSeq with the last chunk), not appliedSeq,
   * and a message keeps no inbox seq. A message already stored from the inbox is kept once.
   */
  ingestTimeline(groupId: string, entries: readonly pb.Entry[], options?: IngestOptions): Promise<IngestResult>;
}

export interface InboxIngestDeps {
  readonly db: Database;
  readonly selfId: string;
  readonly clock: Pick<Clock, 'now'>;
  readonly messages: MessageStore;
  readonly conversations: ConversationStore;
  readonly outbox: OutboxStore;
  readonly notices: NoticeStore;
  readonly groups: GroupStore;
  readonly syncState: SyncStateStore;
  readonly timelineCursors: TimelineCursorStore;
}

interface Accumulator {
  /** Set for a timeline's entries: its seqs are the timeline's, not the inbox's. */
  timeline: string | undefined;
  storedEntries: number;
  transientEntries: number;
  maxSeq: number;
  messages: StoredMessage[];
  ownMessagesConfirmed: StoredMessage[];
  revoked: StoredMessage[];
  burned: StoredMessage[];
  readReceipts: ReadReceiptApplied[];
  notices: StoredNotice[];
  conversations: Set<string>;
}

const emptyAccumulator = (timeline?: string): Accumulator => ({
  timeline,
  storedEntries: 0,
  transientEntries: 0,
  maxSeq: 0,
  messages: [],
  ownMessagesConfirmed: [],
  revoked: [],
  burned: [],
  readReceipts: [],
  notices: [],
  conversations: new Set(),
});

export function createInboxIngest(deps: InboxIngestDeps): InboxIngest {
  const { db, selfId, messages, conversations } = deps;
  const batch = createConversationBatch(conversations);

  function applyMessage(message: pb.Message, seq: number, acc: Accumulator): void {
    const conversation = messageConversation(message);
    const stored = newMessageFromWire(message, seq, selfId, batch.readUpToMsgId(conversation));
    if (acc.timeline !== undefined) {
      // the seq is the timeline's: kept apart, it orders the timeline's messages of one millisecond
      stored.seq = null;
      stored.timelineSeq = seq;
    }
    // the insert is the duplicate check: a known msg_id or client id leaves the row as it is
    if (messages.insertNew(stored)) {
      batch.noteNewMessage(stored);
      acc.messages.push(stored);
      acc.conversations.add(conversation);
      return;
    }
    const { msgId, clientMsgId } = stored;
    if (acc.timeline !== undefined && msgId !== null) messages.noteTimelineSeq(msgId, seq);
    if (!stored.outgoing || clientMsgId === null || msgId === null || messages.hasMsgId(msgId)) return;
    if (!messages.getByClientMsgId(clientMsgId)) return;
    // sent from here: the SENT receipt may have been lost, the sync copy confirms it
    batch.flush();
    const confirmed = deps.outbox.markSent(clientMsgId, { msgId, seq: stored.seq, timelineSeq: stored.timelineSeq, timeMs: stored.timeMs });
    if (confirmed) acc.ownMessagesConfirmed.push(confirmed);
    acc.conversations.add(conversation);
  }

  function messageConversation(message: pb.Message): string {
    if (isGroupId(message.to)) return message.to;
    return message.from === selfId ? message.to : message.from;
  }

  function applyNotice(notice: pb.Notice, seq: number, acc: Accumulator): void {
    const stored = noticeFromWire(seq, notice);
    if (!deps.notices.insert(stored)) return;
    acc.notices.push({ ...stored, handled: false });
    if (stored.groupId === '') return;
    if (applyNoticeToGroup(stored)) conversations.ensure(stored.groupId, stored.timeMs);
    // the chat list shows the event as the group's latest line (chat-service's notices in the page)
    if (conversations.noteNotice(stored.groupId, stored.timeMs)) acc.conversations.add(stored.groupId);
  }

  /** Keeps groups and members in step with a notice; true when it made me a member. */
  function applyNoticeToGroup(notice: Omit<StoredNotice, 'handled'>): boolean {
    const { groups } = deps;
    const now = deps.clock.now();
    const groupId = notice.groupId;
    const affected = notice.targets.length > 0 ? notice.targets : [notice.actor];
    const addMembers = (userIds: readonly string[], role: pb.GroupRole): void => {
      const fresh = userIds.filter((userId) => !groups.getMember(groupId, userId));
      groups.upsertMembers(
        fresh.map((userId) => ({ groupId, userId, role, card: '', muteUntilMs: 0, joinedMs: notice.timeMs, nickname: '' })),
      );
    };
    const meAmong = (userIds: readonly string[]): boolean => userIds.includes(selfId);
    switch (notice.kind) {
      case pb.NoticeKind.CREATE: {
        groups.patchGroup(groupId, { owner: notice.actor, createdMs: notice.timeMs, ...named(notice) }, now);
        addMembers([notice.actor], pb.GroupRole.OWNER);
        addMembers(notice.targets, pb.GroupRole.MEMBER);
        const role = notice.actor === selfId ? pb.GroupRole.OWNER : meAmong(notice.targets) ? pb.GroupRole.MEMBER : undefined;
        if (role === undefined) return false;
        groups.patchGroup(groupId, { myRole: role }, now);
        return true;
      }
      case pb.NoticeKind.INVITE:
      case pb.NoticeKind.JOIN:
      case pb.NoticeKind.APPROVE:
        addMembers(affected, pb.GroupRole.MEMBER);
        if (named(notice).name !== undefined) groups.patchGroup(groupId, named(notice), now);
        if (!meAmong(affected)) return false;
        if ((groups.getGroup(groupId)?.myRole ?? pb.GroupRole.NONE) === pb.GroupRole.NONE) {
          groups.patchGroup(groupId, { myRole: pb.GroupRole.MEMBER }, now);
        }
        return true;
      case pb.NoticeKind.QUIT:
      case pb.NoticeKind.KICK:
        groups.removeMembers(groupId, affected);
        if (meAmong(affected)) groups.patchGroup(groupId, { myRole: pb.GroupRole.NONE }, now);
        return false;
      case pb.NoticeKind.DISMISS:
        // a dismissed group has no members left: none is shown offline either
        groups.patchGroup(groupId, { dismissed: true, memberCount: 0 }, now);
        groups.replaceMembers(groupId, []);
        return false;
      case pb.NoticeKind.ROLE:
        for (const userId of notice.targets) groups.patchMember(groupId, userId, { role: notice.role });
        if (meAmong(notice.targets)) groups.patchGroup(groupId, { myRole: notice.role }, now);
        return false;
      case pb.NoticeKind.MUTE:
        for (const userId of notice.targets) groups.patchMember(groupId, userId, { muteUntilMs: notice.muteUntilMs });
        if (meAmong(notice.targets)) groups.patchGroup(groupId, { myMuteUntilMs: notice.muteUntilMs }, now);
        return false;
      case pb.NoticeKind.MODIFY: {
        // a notice that says what changed keeps the cached announcement, mode and invite rule too
        const patch = { ...named(notice), ...notice.changes };
        if (Object.keys(patch).length > 0) groups.patchGroup(groupId, patch, now);
        return false;
      }
      case pb.NoticeKind.TRANSFER: {
        const newOwner = notice.targets[0];
        if (newOwner === undefined) return false;
        groups.patchGroup(groupId, { owner: newOwner }, now);
        groups.patchMember(groupId, newOwner, { role: pb.GroupRole.OWNER });
        groups.patchMember(groupId, notice.actor, { role: pb.GroupRole.MEMBER });
        if (newOwner === selfId) groups.patchGroup(groupId, { myRole: pb.GroupRole.OWNER }, now);
        else if (notice.actor === selfId) groups.patchGroup(groupId, { myRole: pb.GroupRole.MEMBER }, now);
        return false;
      }
      default:
        // applications, invite requests, rejections and declines are only notices
        return false;
    }
  }

  function applyEntry(entry: pb.Entry, acc: Accumulator): void {
    const seq = Number(entry.seq);
    if (seq === 0) {
      acc.transientEntries += 1;
      return;
    }
    acc.storedEntries += 1;
    acc.maxSeq = Math.max(acc.maxSeq, seq);
    const item = entry.item;
    if (item.case === 'message') {
      applyMessage(item.value, seq, acc);
      return;
    }
    batch.flush();
    switch (item.case) {
      case 'notice':
        applyNotice(item.value, seq, acc);
        break;
      case 'revoked': {
        const revoked = messages.markRevoked(Number(item.value.msgId), item.value.by, Number(item.value.timeMs));
        if (!revoked) break;
        conversations.refresh(revoked.conversation);
        acc.revoked.push(revoked);
        acc.conversations.add(revoked.conversation);
        break;
      }
      case 'read': {
        const { reader, conversation } = item.value;
        const upToMsgId = Number(item.value.upToMsgId);
        const changed =
          reader === selfId
            ? conversations.applyOwnReadReceipt(conversation, upToMsgId)
            : // group read receipts are asked for per message (READERS), not kept per member
              !isGroupId(conversation) && conversations.applyPeerReadReceipt(conversation, upToMsgId);
        if (!changed) break;
        acc.readReceipts.push({ conversation, reader, upToMsgId });
        acc.conversations.add(conversation);
        break;
      }
      case 'burned': {
        const burned = messages.markBurned(Number(item.value.msgId));
        if (!burned) break;
        conversations.refresh(burned.conversation);
        acc.burned.push(burned);
        acc.conversations.add(burned.conversation);
        break;
      }
      case undefined:
        break;
      default: {
        const unknown: never = item;
        throw new TypeError(`unknown inbox entry ${JSON.stringify(unknown)}`);
      }
    }
  }

  function finish(acc: Accumulator): IngestResult {
    const { maxSeq: _maxSeq, timeline: _timeline, conversations: changed, ...rest } = acc;
    return { ...rest, appliedSeq: deps.syncState.get().appliedSeq, conversations: [...changed] };
  }

  /** Applies entries from `from` until done or the budget is spent; returns where it stopped. */
  const applyChunk = db.transaction(
    (entries: readonly pb.Entry[], from: number, budgetMs: number, acc: Accumulator, upToSeq: number) => {
      const started = performance.now();
      const messagesBefore = acc.messages.length;
      let i = from;
      try {
        while (i < entries.length) {
          applyEntry(entries[i]!, acc);
          i += 1;
          if (performance.now() - started >= budgetMs) break;
        }
        batch.flush();
      } finally {
        // a failed entry rolls the chunk back: nothing it noted may reach the next one
        batch.reset();
      }
      messages.mergeSearchIndex(acc.messages.length - messagesBefore);
      const appliedSeq = i >= entries.length ? Math.max(acc.maxSeq, upToSeq) : acc.maxSeq;
      if (appliedSeq > 0 && acc.timeline !== undefined) deps.timelineCursors.raiseApplied(acc.timeline, appliedSeq, deps.clock.now());
      else if (appliedSeq > 0) deps.syncState.raiseApplied(appliedSeq, deps.clock.now());
      return i;
    },
  );

  async function ingestInChunks(entries: readonly pb.Entry[], options: IngestOptions, acc: Accumulator): Promise<IngestResult> {
    const budgetMs = options.budgetMs ?? 4;
    const upToSeq = options.upToSeq ?? 0;
    let next = 0;
    do {
      options.signal?.throwIfAborted();
      next = applyChunk(entries, next, budgetMs, acc, upToSeq);
      if (next < entries.length) await new Promise<void>((resolve) => setImmediate(resolve));
    } while (next < entries.length);
    return finish(acc);
  }

  const skipEntry = db.transaction((seq: number): IngestResult => {
    deps.syncState.raiseApplied(seq, deps.clock.now());
    return finish(emptyAccumulator());
  });

  return {
    skipEntry,
    ingestPage(entries, upToSeq = 0) {
      const acc = emptyAccumulator();
      applyChunk(entries, 0, Infinity, acc, upToSeq);
      return finish(acc);
    },
    ingestEntries: (entries, options = {}) => ingestInChunks(entries, options, emptyAccumulator()),
    ingestTimeline: (groupId, entries, options = {}) => ingestInChunks(entries, options, emptyAccumulator(groupId)),
  };
}

/** Several ingests (one TIMELINE_PAGE's slices) as one result, in the order they were applied. */
export function mergeIngestResults(results: readonly IngestResult[]): IngestResult {
  const merged: IngestResult = {
    appliedSeq: 0,
    storedEntries: 0,
    transientEntries: 0,
    messages: [],
    ownMessagesConfirmed: [],
    revoked: [],
    burned: [],
    readReceipts: [],
    notices: [],
    conversations: [],
  };
  const conversations = new Set<string>();
  for (const r of results) {
    merged.messages.push(...r.messages);
    merged.ownMessagesConfirmed.push(...r.ownMessagesConfirmed);
    merged.revoked.push(...r.revoked);
    merged.burned.push(...r.burned);
    merged.readReceipts.push(...r.readReceipts);
    merged.notices.push(...r.notices);
    for (const id of r.conversations) conversations.add(id);
  }
  return {
    ...merged,
    appliedSeq: results.reduce((max, r) => Math.max(max, r.appliedSeq), 0),
    storedEntries: results.reduce((sum, r) => sum + r.storedEntries, 0),
    transientEntries: results.reduce((sum, r) => sum + r.transientEntries, 0),
    conversations: [...conversations],
  };
}

function named(notice: { groupName: string }): { name?: string } {
  return notice.groupName !== '' ? { name: notice.groupName } : {};
}
