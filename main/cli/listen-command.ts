import { ErrorCode, MagpieError, type pb } from '../../protocol';
import { compareConversationItems, type ConversationItemOrder } from '../../preload/api';
import { inputFromWireMessage, type ListenItemRef, type StoredMessage, type UnprintedItems } from '../store';
import { messageOrder, noticeOrder } from '../views/message-view';
import type { CommandOf } from './args';
import { CliExit, ExitCode, type CliIo, type CliSession } from './cli-session';
import { lockListen } from './listen-lock';
import { messageLine, noticeLine, type MessageLine, type NoticeLine } from './output';
import { createSenderNameReader, createSenderNames } from './sender-names';

/** A stored item listen has not printed yet: its line is made when printed, with the names known then. */
interface ListenItem {
  readonly ref: ListenItemRef;
  /** 'm' + a message's local id, 'n' + a notice's seq. */
  readonly key: string;
  readonly order: ConversationItemOrder;
  readonly conversation: string;
  readonly from: string;
  readonly line: () => MessageLine | NoticeLine;
}

/** Stored items are read and printed this many at a time: a long backlog is never all in memory. */
const PAGE_ITEMS = 500;

/**
 * Prints what the profile has stored and no listen has printed yet (the store's listen cursor,
 * migration 0011), oldest first in the chat's order, then what arrives. The cursor moves for a line
 * only once stdout took it: a run killed mid-print loses nothing, and at most the line being
 * written then is printed again by the next run.
 */
export async function runListen(session: CliSession, io: CliIo, command: CommandOf<'listen'>): Promise<number> {
  const { client } = session;
  const { store } = client;
  const { count } = command;
  const names = createSenderNames(store);
  const now = (): number => client.clock.now();
  let printed = 0;
  const room = (): number => (count === undefined ? Number.POSITIVE_INFINITY : count - printed);
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let failure: unknown;
  const fail = (error: unknown): void => {
    failure ??= error;
    done();
  };

  // lines written and not yet recorded (or that stdout refused): never printed twice in a run
  const inFlight = new Set<string>();
  const writes: Promise<void>[] = [];
  let stdoutClosed = false;
  const countLine = (): void => {
    printed += 1;
    if (room() <= 0) done();
  };
  // one line at a time, recorded once stdout has it: a kill repeats at most the line being written
  const writeItem = (item: ListenItem): Promise<void> => {
    inFlight.add(item.key);
    const written = new Promise<void>((resolve) => {
      io.out(item.line(), (ok) => {
        try {
          if (ok) {
            store.listenCursor.markPrinted([item.ref], now());
            inFlight.delete(item.key);
          } else stdoutClosed = true;
        } catch (error) {
          fail(error);
        }
        resolve();
      });
    });
    writes.push(written);
    countLine();
    return written;
  };

  const itemsOf = (found: UnprintedItems): ListenItem[] =>
    [
      ...found.messages.map((m) => ({
        ref: { kind: 'm' as const, id: m.localId },
        key: `m${m.localId}`,
        order: messageOrder(m),
        conversation: m.conversation,
        from: m.from,
        line: () => messageLine(names, m),
      })),
      ...found.notices.map((n) => ({
        ref: { kind: 'n' as const, id: n.seq },
        key: `n${n.seq}`,
        order: noticeOrder(n),
        conversation: n.groupId,
        from: n.actor,
        line: () => noticeLine(names, n),
      })),
    ].sort((a, b) => compareConversationItems(a.order, b.order));
  const oldestUnprinted = (limit: number): ListenItem[] =>
    itemsOf(store.listenCursor.unprinted('oldest', limit + inFlight.size))
      .filter((item) => !inFlight.has(item.key))
      .slice(0, limit);

  let historyPending = false;
  // A profile that never synced gets the account's whole history in its first catch-up: with a
  // count, only its newest N are printed, as a messenger on a new device opens on the latest; the
  // rest count as seen. Done once that catch-up is applied, or at the end of a run cut short.
  const cutHistory = (): void => {
    if (!historyPending) return;
    historyPending = false;
    if (count === undefined) return store.listenCursor.endHistory(now());
    const newest = itemsOf(store.listenCursor.unprinted('newest', count)).slice(-count);
    store.listenCursor.passOver(newest.map((item) => item.ref), now());
  };

  // senders are named as the app names them once what names them is read: a group's members, as
  // the app reads them when its chat opens, a peer's profile; once a run
  const reader = createSenderNameReader(session);
  let closing = false;
  void session.deadline.reached.then(() => (closing = true));
  void finished.then(() => (closing = true));
  /**
   * Prints a page of the oldest unprinted items; false when there was none. Live, the senders'
   * names are read first, and the run's end stops it (its own flush, 'final', prints the rest at
   * once, without waiting for names).
   */
  const printPage = async (mode: 'live' | 'final'): Promise<boolean> => {
    const stopped = (): boolean => room() <= 0 || stdoutClosed || (mode === 'live' && closing);
    if (stopped()) return false;
    cutHistory();
    const page = oldestUnprinted(Math.min(room(), PAGE_ITEMS));
    if (page.length === 0) return false;
    // lines of another conversation may come while one's names are read
    if (mode === 'live') while (!closing && reader.unread(page)) await Promise.race([reader.read(page), session.deadline.reached]);
    for (const item of page) {
      if (stopped()) return false;
      await writeItem(item);
    }
    return true;
  };
  // A catch-up applies the inbox (notices, mentions) before the large groups' timelines, so what
  // one pull brings is printed once the sync queue is idle, in the order history shows it.
  let draining = false;
  let again = false;
  const drain = async (): Promise<void> => {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      do {
        again = false;
        await client.syncIdle();
        while (await printPage('live'));
      } while (again && !closing);
    } finally {
      draining = false;
    }
  };
  let connected = false;
  let ingested = false;
  client.events.on('ingested', () => {
    ingested = true;
    if (connected && !closing) drain().catch(fail);
  });
  client.events.on('transient', (entry) => {
    if (entry.item.case !== 'message' || entry.item.value.from === client.selfId || room() <= 0) return;
    io.out(messageLine(names, transientMessage(entry.item.value, client.selfId)));
    countLine();
  });
  const lock = lockListen(session);
  try {
    // made before this run's catch-up stores anything: what it brings is news
    ({ historyPending } = store.listenCursor.open(now()));
    // the server ending the session (KICKED) ends the run as the deadline does, here rather than
    // under it: the store stays open until the line being written is recorded, or the next run
    // would print it again
    await Promise.race([session.connect(), session.ended]);
    connected = true;
    drain().catch(fail);
    await Promise.race([finished, session.deadline.reached, session.ended]);
  } finally {
    closing = true;
    try {
      // what arrived before the deadline or Ctrl-C is printed, even while a long catch-up still runs
      if (connected || ingested) while (await printPage('final'));
    } finally {
      await Promise.all(writes);
      lock.release();
    }
  }
  if (failure !== undefined) throw failure;
  if (count !== undefined && printed < count) {
    const why = io.signal.aborted ? 'interrupted' : 'the timeout passed';
    throw new CliExit(ExitCode.TIMEOUT, new MagpieError(ErrorCode.REQUEST_TIMEOUT, `${printed} of ${count} messages arrived before ${why}`));
  }
  return ExitCode.OK;
}

/** A transient custom message (seq 0): shown, never stored. */
function transientMessage(message: pb.Message, selfId: string): StoredMessage {
  return { ...inputFromWireMessage(message, 0, selfId, 0), localId: 0, revoked: false, revokedBy: null, burned: false };
}
