import { ErrorCode, errorCodeName, MagpieError } from '../../protocol';
import type { StoredMessage } from '../store';
import { CliExit, ExitCode, type CliIo, type CliSession } from './cli-session';
import { messageLine, type MessageLine } from './output';
import { createSenderNames, type SenderNames } from './sender-names';

/** What a wait for receipts does when the login is refused before the link ever came up. */
export interface AwaitOptions {
  /**
   * The messages are this command's own (`send`): a refused login fails them, with the login's
   * code, so that they are not sent by a later run. Otherwise (`outbox flush`) they stay queued.
   */
  readonly ownMessages: boolean;
}

/**
 * Prints outgoing messages in the order they were written, each once it and every one before it
 * have left 'sending': as they settle, while more are still being tracked (`send --stdin` fed by
 * a live stream prints each line as it goes, not once stdin ends).
 */
export interface SentReport {
  /** Follows one more message, printed in its turn once it is settled. */
  track(clientMsgId: string): void;
  /**
   * Waits for every tracked message, with the session's connect() under way, and stops following;
   * resolves with the exit code (0, or 1 when one failed), or rejects with the CliExit that ends
   * the run (3 at the deadline, 4 for a refused login or a session the server ended).
   */
  finish(connected: Promise<unknown>): Promise<number>;
  /** Stops following without waiting: the command ends another way. */
  dispose(): void;
}

export function createSentReport(session: CliSession, io: CliIo, options: AwaitOptions = { ownMessages: false }): SentReport {
  const { client } = session;
  const names = createSenderNames(client.store);
  const ids: string[] = [];
  const tracked = new Set<string>();
  let printed = 0;
  let refused = false;
  let allPrinted: (() => void) | undefined;
  let finishing = false;
  // a retryable answer (the server's disk full, a rate limit) keeps a message 'sending': the
  // timeout then says what the server answered, not only that no result came
  let deferred: MagpieError | undefined;
  const onDeferred = ({ clientMsgId, error }: { clientMsgId: string; error: MagpieError }): void => {
    if (tracked.has(clientMsgId)) deferred = error;
  };
  const printSettled = (): boolean => {
    while (printed < ids.length) {
      const id = ids[printed]!;
      const message = client.store.messages.getByClientMsgId(id);
      if (!message || message.state === 'sending') break;
      const item = client.store.outbox.get(id);
      if (message.state === 'failed') refused = true;
      io.out(messageLine(names, message, item ? { code: item.errorCode, message: item.errorMessage } : undefined));
      printed += 1;
    }
    if (printed === ids.length) allPrinted?.();
    return printed === ids.length;
  };
  const onChange = (): void => void printSettled();
  client.events.on('sendDeferred', onDeferred);
  client.events.on('outgoing', onChange);
  client.events.on('ingested', onChange);
  const dispose = (): void => {
    client.events.off('sendDeferred', onDeferred);
    client.events.off('outgoing', onChange);
    client.events.off('ingested', onChange);
  };
  const exitCode = (): number => (refused ? ExitCode.REFUSED : ExitCode.OK);

  /**
   * Resolves when every tracked message is printed (or at the deadline, with exit 3). A login the
   * server refused is final, so it ends the wait at once rather than at the deadline (a
   * connection that merely times out keeps waiting).
   */
  const finish = async (connected: Promise<unknown>): Promise<number> => {
    let loggedIn = false;
    const loginFailed = connected.then(
      () => {
        loggedIn = true;
        return new Promise<never>(() => undefined);
      },
      (error: unknown) => {
        if (error instanceof CliExit && error.exitCode === ExitCode.TIMEOUT) return new Promise<never>(() => undefined);
        throw error;
      },
    );
    // the wait may end before the login does: its failure is then nobody's to report
    loginFailed.catch(() => undefined);
    finishing = true;
    try {
      if (printSettled()) return exitCode();
      const settled = new Promise<void>((resolve) => (allPrinted = resolve));
      await Promise.race([session.deadline.race(settled, 'sending'), session.ended, loginFailed]);
      return exitCode();
    } catch (error) {
      const unsent = ids.slice(printed);
      // a login refused before the link came up: this command's messages failed with it
      if (options.ownMessages && !loggedIn && error instanceof CliExit && error.exitCode === ExitCode.LOGIN_FAILED) failUnsent(session, unsent, error);
      // what is not settled is shown as it stands (sending: it stays in the outbox)
      for (const id of unsent) {
        const message = client.store.messages.getByClientMsgId(id);
        if (message) io.out(storedLine(names, client.store, message));
      }
      // a refused login, or the server ended the session: its code and exit 4
      if (error instanceof CliExit) throw error;
      const state = client.status;
      const online = state.state === 'online';
      const code = online ? (deferred?.code ?? ErrorCode.REQUEST_TIMEOUT) : (state.code ?? ErrorCode.NOT_CONNECTED);
      const why = error instanceof Error ? error.message : String(error);
      const answered = online && deferred !== undefined ? `; the server answered ${errorCodeName(deferred.code) ?? deferred.code}: ${deferred.message}` : '';
      throw new CliExit(ExitCode.TIMEOUT, new MagpieError(code, `${unsent.length} message(s) not sent (${why}${answered}${linkDown(state, loggedIn)}); they stay in the outbox`));
    } finally {
      dispose();
    }
  };

  return {
    track(clientMsgId) {
      // a message stored after the wait began (a line read as the session ended) stays in the
      // outbox unprinted: nothing is printed after the run's last line
      if (finishing) return;
      ids.push(clientMsgId);
      tracked.add(clientMsgId);
      printSettled();
    },
    finish,
    dispose,
  };
}

/** Prints the messages of these ids as they settle (createSentReport), and waits for them all. */
export async function awaitSentUnlessRefused(
  session: CliSession,
  io: CliIo,
  ids: readonly string[],
  connected: Promise<unknown>,
  options: AwaitOptions = { ownMessages: false },
): Promise<number> {
  const report = createSentReport(session, io, options);
  for (const id of ids) report.track(id);
  return report.finish(connected);
}

/**
 * Why the link is down, as the other commands say it when they cannot connect (the address and its
 * error), or nothing when it is up: a send that timed out offline must not read like a slow server.
 */
function linkDown(status: CliSession['client']['status'], loggedIn: boolean): string {
  if (status.state === 'online') return '';
  const what = loggedIn ? 'the connection was lost' : 'could not connect and log in';
  return `; ${what}: ${status.reason ?? `no server answered yet (${status.state})`}`;
}

/**
 * Marks messages failed with the refused login's code: a user told "login failed" who runs the
 * command again with the right password must not find the first attempt sent as well.
 */
function failUnsent(session: CliSession, ids: readonly string[], exit: CliExit): void {
  const code = exit.error instanceof MagpieError ? exit.error.code : ErrorCode.NOT_CONNECTED;
  const why = `not sent: the login was refused (${exit.message})`;
  for (const id of ids) session.client.store.outbox.markFailed(id, code, why, Date.now());
}

/** A stored message as a line; a failed one carries the code and message its outbox row keeps. */
export function storedLine(names: SenderNames, store: CliSession['client']['store'], message: StoredMessage): MessageLine {
  if (message.state !== 'failed' || message.clientMsgId === null) return messageLine(names, message);
  const item = store.outbox.get(message.clientMsgId);
  return messageLine(names, message, item ? { code: item.errorCode, message: item.errorMessage } : undefined);
}
