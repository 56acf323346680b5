import { runDownload, runSendFile } from './media-commands';
import { ErrorCode, hasControlCharacter, isMagpieError, jsonForTerminal, MagpieError } from '../../protocol';
import { parseCli, type Command, type GlobalOptions } from './args';
import { runBurn, runHistory, runOutbox, runRead, runRevoke, runSearch, runSend } from './chat-commands';
import { runListen } from './listen-command';
import { CliExit, cliProfileDir, ExitCode, openCliSession, type CliIo, type CliSession } from './cli-session';
import { localStoreCorruption } from './local-store-error';
import { clientStorePath } from '../store/database';
import { localStoreUnavailable } from '../store/store-failure';
import { runGroup, runProfile } from './group-commands';
import { errorLine } from './output';
import { COMMAND_USAGE, GLOBAL_USAGE, UsageError } from './usage';

/** Errors that mean "no answer in time" rather than "the server said no". */
const TIMEOUT_CODES: ReadonlySet<number> = new Set([
  ErrorCode.REQUEST_TIMEOUT,
  ErrorCode.NOT_CONNECTED,
  ErrorCode.CONNECTION_CLOSED,
  ErrorCode.CANCELLED,
]);

/** How long a command whose session the server ended may take to print what it did. */
const REPORT_GRACE_MS = 200;

/**
 * The standard streams, and Ctrl-C or SIGTERM as the signal that ends a command cleanly. A reader
 * that goes away early (a pipe into `head`) ends the command the same way, quietly: there is no
 * one left to print to, and no stack belongs on stderr for it.
 */
export function processIo(): CliIo & { dispose(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  let stdoutOpen = true;
  const onStdoutError = (): void => {
    stdoutOpen = false;
    stop();
  };
  // stderr closed too: nothing to tell, and nowhere to tell it
  const onStderrError = (): void => undefined;
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.on('error', onStdoutError);
  process.stderr.on('error', onStderrError);
  return {
    out: (line, written) => {
      // a direction override in a message or a name must not reorder the line a terminal draws
      if (stdoutOpen) process.stdout.write(jsonForTerminal(line) + '\n', written && ((error) => written(!error)));
      else written?.(false);
    },
    err: (line) => process.stderr.write(jsonForTerminal(line) + '\n'),
    // read lazily: touching process.stdin opens a handle that would keep a finished command alive
    get stdin() {
      return process.stdin;
    },
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // the error listeners stay: the EPIPE of the last writes may come after the command ended
    },
  };
}

/** The magpie command line. Resolves with the exit code (see GLOBAL_USAGE). */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await runParsed(argv, io);
  } finally {
    if ('dispose' in io && typeof io.dispose === 'function') (io.dispose as () => void)();
  }
}

/** The help command of the command a usage error is about. */
function helpFor(command: string): string {
  return command !== '' && COMMAND_USAGE[command] !== undefined ? `magpie ${command} --help` : 'magpie --help';
}

/** A usage error may quote what was typed: its control characters are shown escaped, never sent to the terminal. */
function escapeControls(text: string): string {
  return !hasControlCharacter(text)
    ? text
    : [...text].map((c) => (hasControlCharacter(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
}

async function runParsed(argv: readonly string[], io: CliIo): Promise<number> {
  let command: Command;
  let global: GlobalOptions | undefined;
  try {
    ({ command, global } = parseCli(argv));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // one JSON line, as every other error (a --file that is no file among them): scripts read one format
    io.err(errorLine(new MagpieError(ErrorCode.BAD_ARGUMENT, `${escapeControls(error.message)} (usage: ${helpFor(error.command)})`)));
    return ExitCode.USAGE;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${COMMAND_USAGE[command.topic] ?? GLOBAL_USAGE}\n`);
    return ExitCode.OK;
  }
  let session: CliSession | undefined;
  try {
    session = openCliSession(global!, io);
    const running = Promise.resolve(runCommand(session, io, command));
    // the session's end decides: what the command still waits for (receipts, messages) fails after;
    // a command that reports what it did first (send prints its messages) has a moment for it
    running.catch(() => undefined);
    // listen ends itself on the session's end, once its cursor holds every line it wrote: the
    // store must not close under a line whose write a slow reader has not taken yet
    const ended =
      command.kind === 'listen'
        ? new Promise<never>(() => undefined)
        : session.ended.catch((error: unknown) => new Promise<never>((_, reject) => setTimeout(() => reject(error), REPORT_GRACE_MS)));
    return await Promise.race([running, ended]);
  } catch (error) {
    // a damaged store is this machine's problem, not the server's: its own code and exit code
    const cause = error instanceof CliExit ? error.error : error;
    const corrupt = localStoreCorruption(cause, cliProfileDir(global!), storeFile(global!));
    if (corrupt) {
      io.err(errorLine(corrupt));
      return ExitCode.LOCAL_STORE_CORRUPT;
    }
    // a full or read-only disk under the store: not the server's failure, and nothing to move aside
    const unavailable = localStoreUnavailable(cause, storeFile(global!));
    if (unavailable) {
      io.err(errorLine(unavailable));
      return ExitCode.LOCAL_STORE_UNAVAILABLE;
    }
    if (error instanceof CliExit) {
      if (error.error !== undefined) io.err(errorLine(error.error));
      return error.exitCode;
    }
    io.err(errorLine(error));
    // BAD_ARGUMENT is only ever this machine's verdict on what it was given, never the server's
    if (isMagpieError(error) && error.code === ErrorCode.BAD_ARGUMENT) return ExitCode.USAGE;
    if (isMagpieError(error)) return TIMEOUT_CODES.has(error.code) ? ExitCode.TIMEOUT : ExitCode.REFUSED;
    return ExitCode.REFUSED;
  } finally {
    session?.close();
  }
}

/** The user's store file, for messages about it; undefined when the ids cannot name one. */
function storeFile(global: GlobalOptions): string | undefined {
  try {
    return clientStorePath(cliProfileDir(global), global.appId, global.user);
  } catch {
    return undefined;
  }
}

function runCommand(session: CliSession, io: CliIo, command: Exclude<Command, { kind: 'help' }>): Promise<number> | number {
  switch (command.kind) {
    case 'send':
      return runSend(session, io, command);
    case 'send-file':
      return runSendFile(session, io, command);
    case 'download':
      return runDownload(session, io, command);
    case 'revoke':
      return runRevoke(session, io, command);
    case 'read':
      return runRead(session, io, command);
    case 'burn':
      return runBurn(session, io, command);
    case 'listen':
      return runListen(session, io, command);
    case 'history':
      return runHistory(session, io, command);
    case 'outbox':
      return runOutbox(session, io, command);
    case 'search':
      return runSearch(session, io, command);
    case 'group':
      return runGroup(session, io, command.group);
    case 'profile':
      return runProfile(session, io, command);
    default: {
      const unreachable: never = command;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}
