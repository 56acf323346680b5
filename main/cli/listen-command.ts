import { ErrorCode, MagpieError, type pb } from '../../protocol';
import { compareConversationItems, type ConversationItemOrder } from '../../preload/api';
import { inputFromWireMessage, type StoredMessage } from '../store';
import { messageOrder, noticeOrder } from '../views/message-view';
import type { CommandOf } from './args';
import { CliExit, ExitCode, type CliIo, type CliSession } from './cli-session';
import { lockListen } from './listen-lock';
import { messageLine, noticeLine, type MessageLine, type NoticeLine } from './output';
import { createSenderNameReader, createSenderNames } from './sender-names';

/** An item listen has stored and not printed yet: its line is made when printed, with the names known then. */
interface PendingLine {
  readonly order: ConversationItemOrder;
  readonly conversation: string;
  readonly from: string;
  readonly line: () => MessageLine | NoticeLine;
}

export async function runListen(session: CliSession, io: CliIo, command: CommandOf<'listen'>): Promise<number> {
  const { client } = session;
  const names = createSenderNames(client.store);
  let printed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const print = (lines: (MessageLine | NoticeLine)[]): void => {
    for (const line of lines) {
      if (command.count !== undefined && printed >= command.count) break;
      io.out(line);
      printed += 1;
    }
    if (command.count !== undefined && printed >= command.count) done();
  };
  // A catch-up applies the inbox (notices, mentions) before the large groups' timelines, so what
  // one pull brings waits until the sync queue is idle and is printed in the order history shows it.
  let pending: PendingLine[] = [];
  const inOrder = (items: PendingLine[]): (MessageLine | NoticeLine)[] =>
    items.sort((a, b) => compareConversationItems(a.order, b.order)).map((item) => item.line());
  // A profile that never synced gets the account's whole history in its first catch-up: with a
  // count, only its newest N are printed, as a messenger on a new device opens on the latest.
  let firstCatchUp: PendingLine[] | undefined =
    command.count !== undefined && client.store.syncState.get().appliedSeq === 0 ? [] : undefined;
  const flush = (): void => {
    const items = pending;
    pending = [];
    if (firstCatchUp) firstCatchUp.push(...items);
    else print(inOrder(items));
  };
  const endFirstCatchUp = (): void => {
    if (!firstCatchUp || command.count === undefined) return;
    const items = [...firstCatchUp, ...pending];
    firstCatchUp = undefined;
    pending = [];
    print(inOrder(items).slice(-command.count));
  };
  // senders are named as the app names them once what names them is read: a group's members, as
  // the app reads them when its chat opens, a peer's profile; once a run
  const reader = createSenderNameReader(session);
  const settle = async (): Promise<void> => {
    await client.syncIdle();
    // lines of another conversation may come while one's names are read
    while (reader.unread(pending)) await reader.read(pending);
    flush();
  };
  client.events.on('ingested', (result) => {
    if (pending.length === 0) void settle();
    pending.push(
      ...result.messages
        .filter((m) => !m.outgoing)
        .map((m) => ({ order: messageOrder(m), conversation: m.conversation, from: m.from, line: () => messageLine(names, m) })),
      ...result.notices.map((n) => ({ order: noticeOrder(n), conversation: n.groupId, from: n.actor, line: () => noticeLine(names, n) })),
    );
  });
  client.events.on('transient', (entry) => {
    if (entry.item.case !== 'message' || entry.item.value.from === client.selfId) return;
    print([messageLine(names, transientMessage(entry.item.value, client.selfId))]);
  });
  const lock = lockListen(session);
  try {
    await session.connect();
    if (firstCatchUp) await Promise.race([reader.read([...firstCatchUp, ...pending]), session.deadline.reached]);
    endFirstCatchUp();
    await Promise.race([finished, session.deadline.reached]);
  } finally {
    // what arrived before the deadline or Ctrl-C is printed, even while a long catch-up still runs
    endFirstCatchUp();
    flush();
    lock.release();
  }
  if (command.count !== undefined && printed < command.count) {
    const why = io.signal.aborted ? 'interrupted' : 'the timeout passed';
    throw new CliExit(ExitCode.TIMEOUT, new MagpieError(ErrorCode.REQUEST_TIMEOUT, `${printed} of ${command.count} messages arrived before ${why}`));
  }
  return ExitCode.OK;
}

/** A transient custom message (seq 0): shown, never stored. */
function transientMessage(message: pb.Message, selfId: string): StoredMessage {
  return { ...inputFromWireMessage(message, 0, selfId, 0), localId: 0, revoked: false, revokedBy: null, burned: false };
}
