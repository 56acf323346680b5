import { createInterface } from 'node:readline';
import { ErrorCode, isGroupId, MagpieError } from '../../protocol';
import type { StoredMessage } from '../store';
import { textOverLimit, type CommandOf } from './args';
import { createMediaAccess } from '../files/media-access';
import { createMediaOutbox } from '../files/media-outbox';
import { CliExit, cliLogger, ExitCode, type CliIo, type CliSession } from './cli-session';
import { awaitSentUnlessRefused, createSentReport, storedLine } from './sent-report';
import { compareConversationItems, type ConversationItemOrder } from '../../preload/api';
import { messageKey, messageOrder, noticeOrder } from '../views/message-view';
import { messageLine, noticeLine, outboxLine, transientSentLine, type MessageLine, type NoticeLine } from './output';
import { createSenderNameReader, createSenderNames } from './sender-names';

/**
 * send: the messages are stored at once and sent in order as the link allows; each is printed once
 * it is settled (sent, or failed with its code), in the order written, so `--stdin` fed by a live
 * stream prints each line as it goes rather than once stdin ends.
 */
export async function runSend(session: CliSession, io: CliIo, command: CommandOf<'send'>): Promise<number> {
  if (command.custom?.transient) return sendTransient(session, io, command.to, command.custom);
  const report = createSentReport(session, io, { ownMessages: true });
  try {
    const sendText = async (text: string): Promise<void> => {
      const { mentions, mentionAll } = command;
      const view = await session.chat.send(command.to, {
        kind: 'text',
        text,
        ...(command.burn ? { burnAfterReading: true } : {}),
        ...(mentions ? { mentions } : {}),
        ...(mentionAll ? { mentionAll } : {}),
      });
      report.track(view.clientMsgId!);
    };
    if (command.custom) {
      const { command: name, payload } = command.custom;
      const view = await session.chat.send(command.to, { kind: 'custom', command: name, payload });
      report.track(view.clientMsgId!);
    }
    if (command.text !== undefined) await sendText(command.text);
    // connect while stdin is read: lines are stored at once, and sent in order as the link allows
    const connected = session.connect();
    connected.catch(() => undefined);
    if (command.stdin) {
      const ended = await readStdinLines(session, io, connected, sendText);
      if (ended !== undefined) {
        await report.finish(connected);
        throw ended;
      }
    }
    return await report.finish(connected);
  } finally {
    report.dispose();
  }
}

/**
 * Sends stdin's lines, one message each (blank lines skipped), until it ends; answers what ended
 * the reading early, if anything: a line over the server's limit (exit 2, what came before is
 * sent), the server ending the session, a refused login (their lines failed, exit 4), or nothing
 * for Ctrl-C and SIGTERM, which stop the reading of a stdin that never ends (a terminal, a pipe
 * whose writer lives on): what was read is then sent and reported as at the deadline.
 */
async function readStdinLines(session: CliSession, io: CliIo, connected: Promise<unknown>, sendText: (text: string) => Promise<void>): Promise<CliExit | undefined> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  let ended: CliExit | undefined;
  const reading = (async () => {
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      const problem = textOverLimit(line);
      if (problem !== undefined) {
        const why = `stdin line ${lineNumber} is ${problem}; it and the lines after it were not sent`;
        ended ??= new CliExit(ExitCode.USAGE, new MagpieError(ErrorCode.BAD_ARGUMENT, why));
        lines.close();
        break;
      }
      await sendText(line);
    }
  })();
  const interrupted = new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const stop = (error: unknown): void => {
    if (error instanceof CliExit) ended ??= error;
    lines.close();
  };
  await Promise.race([
    reading,
    session.ended.catch(stop),
    // a login refused for good takes no more lines either: a live stream would wait for ever
    connected.then(
      () => new Promise<never>(() => undefined),
      (error: unknown) => {
        if (error instanceof CliExit && error.exitCode === ExitCode.LOGIN_FAILED) stop(error);
        // no server in time: the lines wait in the outbox for the link, as at the deadline
        else return new Promise<never>(() => undefined);
      },
    ),
    interrupted.then(() => lines.close()),
  ]);
  return ended;
}

/** A line with where its item sits in its conversation: lines are printed in that order. */
interface OrderedLine {
  readonly order: ConversationItemOrder;
  readonly line: MessageLine | NoticeLine;
}

/** The message of this id in the local store (synced at connect), or MESSAGE_NOT_FOUND (exit 1). */
function syncedMessage(session: CliSession, msgId: number): StoredMessage {
  const message = session.client.store.messages.getByMsgId(msgId);
  if (!message) throw new CliExit(ExitCode.REFUSED, new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no message ${msgId} here`));
  return message;
}

/** revoke MSGID: takes a message back for everyone; the server's rules (sender's window, group managers) decide. */
export async function runRevoke(session: CliSession, io: CliIo, command: CommandOf<'revoke'>): Promise<number> {
  await session.connect();
  const message = syncedMessage(session, command.msgId);
  await session.deadline.race(session.chat.revoke(messageKey(message)), 'revoking');
  io.out({ ok: true, op: 'revoke', id: String(command.msgId), conversation: message.conversation });
  return ExitCode.OK;
}

/**
 * A group this run has nothing of is one the user may read only as a member: the server's answer
 * says so (GROUP_NOT_FOUND for no such group, NOT_GROUP_MEMBER otherwise, exit 1), rather than an
 * empty history or a read of nothing that looks like success.
 */
async function requireGroupMember(session: CliSession, groupId: string): Promise<void> {
  const group = await session.deadline.race(session.groups.info(groupId), 'looking the group up');
  if (group.dismissed) throw new MagpieError(ErrorCode.GROUP_DISMISSED, `${groupId} was dismissed`);
  if (group.myRole === 'none') throw new MagpieError(ErrorCode.NOT_GROUP_MEMBER, `you are not a member of ${groupId}`);
}

/**
 * A user this run has nothing from is looked up: one the server does not know (never made a
 * sub-account, never signed in) is USER_NOT_FOUND (exit 1), rather than a read of nothing, or an
 * empty history, that looks like success. `consequence` ends the message: what that means here.
 */
async function requireKnownUser(session: CliSession, userId: string, consequence: string): Promise<void> {
  const known = await session.deadline.race(session.profiles.existsOnServer(userId), 'looking the user up');
  if (!known) throw new MagpieError(ErrorCode.USER_NOT_FOUND, `no user ${userId} in this app: no one has signed in with that id, so ${consequence}`);
}

/** read --with USER | --group G: marks what came in read, here and on the server (the 1:1 peer sees "read"). */
export async function runRead(session: CliSession, io: CliIo, command: CommandOf<'read'>): Promise<number> {
  await session.connect();
  const upTo = await session.deadline.race(session.chat.markReadConfirmed(command.conversation), 'marking read');
  if (upTo !== undefined) {
    io.out({ ok: true, op: 'read', conversation: command.conversation, upTo: String(upTo) });
    return ExitCode.OK;
  }
  // with nothing to mark no READ went out, so the server has not judged the conversation: ask it
  if (isGroupId(command.conversation)) await requireGroupMember(session, command.conversation);
  else await requireKnownUser(session, command.conversation, 'nothing came from it to mark read');
  io.out({ ok: true, op: 'read', conversation: command.conversation, upTo: null, nothingToMark: true });
  return ExitCode.OK;
}

/** burn MSGID: a received burn-after-reading message is read: emptied here, at the sender and on the server. */
export async function runBurn(session: CliSession, io: CliIo, command: CommandOf<'burn'>): Promise<number> {
  await session.connect();
  const message = syncedMessage(session, command.msgId);
  const burned = await session.deadline.race(session.chat.burnConfirmed(messageKey(message)), 'burning');
  io.out(messageLine(createSenderNames(session.client.store), burned));
  return ExitCode.OK;
}

export async function runHistory(session: CliSession, io: CliIo, command: CommandOf<'history'>): Promise<number> {
  if (!command.offline) await session.connect();
  const { store } = session.client;
  // its senders as the app's chat names them once open: a group's members read, a peer's profile
  if (!command.offline) {
    const peer = { conversation: command.conversation, from: command.conversation };
    await session.deadline.race(createSenderNameReader(session).read([peer]), 'reading the names');
  }
  const names = createSenderNames(store);
  const messages = store.messages.page(command.conversation, command.limit);
  const items: OrderedLine[] = messages.map((m) => ({ order: messageOrder(m), line: storedLine(names, store, m) }));
  if (isGroupId(command.conversation)) {
    // notices sit among the messages; a short history shows the group's whole life
    const from = messages.length === command.limit ? messages[0]!.timeMs : 0;
    const notices = store.notices.listForGroup(command.conversation, 500).filter((n) => n.timeMs >= from);
    items.push(...notices.map((n) => ({ order: noticeOrder(n), line: noticeLine(names, n) })));
  }
  // the chat's own order (time, then the inbox's), not the store's row order
  const lines = items.sort((a, b) => compareConversationItems(a.order, b.order)).map((item) => item.line);
  // a group with nothing here: one never joined, or no such group (a former member keeps what came in);
  // a peer with nothing here: one who exists but wrote nothing yet, or no such user (as read says)
  if (lines.length === 0 && !command.offline) {
    if (isGroupId(command.conversation)) await requireGroupMember(session, command.conversation);
    else await requireKnownUser(session, command.conversation, 'there is no history with it');
  }
  for (const line of lines.slice(-command.limit)) io.out(line);
  return ExitCode.OK;
}

export async function runOutbox(session: CliSession, io: CliIo, command: CommandOf<'outbox'>): Promise<number> {
  const { store } = session.client;
  if (command.discard) return discardFailed(session, io, command.discard.id);
  if (!command.flush) {
    const items = store.outbox.list().filter((item) => item.state !== 'sent').reverse();
    const names = createSenderNames(store);
    for (const item of items) io.out(outboxLine(names, item, store.messages.getByClientMsgId(item.clientMsgId)));
    return ExitCode.OK;
  }
  // media messages still waiting for their upload resume it (from the server's offset) at login
  const access = createMediaAccess(session.client);
  const media = createMediaOutbox({ client: session.client, access, log: cliLogger() });
  try {
    const ids = [...store.outbox.pending().map((item) => item.clientMsgId), ...store.uploads.due().map((upload) => upload.clientMsgId)];
    const connected = session.connect();
    connected.catch(() => undefined);
    if (ids.length === 0) {
      await connected;
      return ExitCode.OK;
    }
    return await awaitSentUnlessRefused(session, io, ids, connected);
  } finally {
    media.dispose();
    access.dispose();
  }
}

/**
 * outbox discard [ID]: drops failed items (all, or the one named), offline, as the app's "cancel
 * send" of a failed message does: the outbox row and the unsent message go, so nothing is left
 * failed for ever. An item still `sending` is refused: it may already be on the server with its
 * receipt lost, and another run on this profile (a listen, the app) may be sending it; `outbox
 * flush` settles it, and a failure can then be discarded.
 */
function discardFailed(session: CliSession, io: CliIo, id: string | undefined): number {
  const { store } = session.client;
  let items = store.outbox.list(Number.MAX_SAFE_INTEGER).filter((item) => item.state === 'failed');
  if (id !== undefined) {
    const item = store.outbox.get(id);
    if (!item) throw new CliExit(ExitCode.REFUSED, new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no message ${id} in the outbox`));
    if (item.state !== 'failed') {
      const why = `message ${id} is still sending, not failed: "magpie outbox flush" sends it (a failed one can then be discarded)`;
      throw new CliExit(ExitCode.REFUSED, new MagpieError(ErrorCode.NOT_ALLOWED, why));
    }
    items = [item];
  }
  for (const item of items.reverse()) {
    if (store.outbox.cancel(item.clientMsgId)) io.out({ ok: true, op: 'discard', id: item.clientMsgId, conversation: item.to });
  }
  return ExitCode.OK;
}

export function runSearch(session: CliSession, io: CliIo, command: CommandOf<'search'>): number {
  const { store } = session.client;
  const names = createSenderNames(store);
  for (const hit of store.search.search(command.query, { limit: command.limit })) {
    const message = store.messages.getByLocalId(hit.localId);
    if (message) io.out({ ...storedLine(names, store, message), snippet: hit.snippet.text });
  }
  return ExitCode.OK;
}

/**
 * A transient custom message goes only to whoever is online now: it is never stored or queued,
 * so it needs the link first (it was fired before connecting and always failed NOT_CONNECTED).
 */
async function sendTransient(session: CliSession, io: CliIo, to: string, custom: { command: string; payload: string }): Promise<number> {
  await session.connect();
  const view = await session.deadline.race(session.chat.send(to, { kind: 'custom', command: custom.command, payload: custom.payload, transient: true }), 'sending');
  io.out(transientSentLine(createSenderNames(session.client.store), view));
  return ExitCode.OK;
}
