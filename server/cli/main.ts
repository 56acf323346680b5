import { ErrorCode, isMagpieError, errorCodeName } from '../../protocol';
import { runAdminCommand } from './admin-commands';
import { openAdminContext } from './admin-context';
import { parseCommand } from './args';
import { databaseMessage, dataFolderMessage, isDatabaseError, isDataFolderError } from './data-folder-error';
import { ExitCode } from './exit-codes';
import { USAGE, UsageError } from './usage';

/** The magpie-server command line. Resolves with the process exit code (ExitCode, docs/server.md). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const out = (text: string) => process.stdout.write(text + '\n');
  const err = (text: string) => process.stderr.write(text + '\n');
  try {
    return await runParsed(argv, out, err);
  } catch (error) {
    // the last net: an operator gets one line, never a stack trace
    err(`magpie-server: ${(error as Error)?.message ?? String(error)}`);
    return ExitCode.FAILED;
  }
}

async function runParsed(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`magpie-server: ${error.message}\n\n${USAGE}`);
    return ExitCode.USAGE;
  }
  if (command.kind === 'help') {
    out(USAGE);
    return ExitCode.OK;
  }
  if (command.kind === 'start') {
    // loaded only here: admin commands need none of the gateway and services, and start faster
    const { runStart } = await import('./start-command');
    return runStart(command, out, err);
  }

  let context;
  try {
    context = openAdminContext(command.dataDir, command.database);
    out(JSON.stringify(runAdminCommand(context.identity, context.access, command), null, 2));
    return ExitCode.OK;
  } catch (error) {
    if (isMagpieError(error)) {
      err(JSON.stringify({ error: { code: error.code, name: errorCodeName(error.code), message: error.message } }));
      // no data where --data points, or another server's key there, is the folder's problem, not a refused operation
      const folders = [ErrorCode.NO_MAGPIE_DATA, ErrorCode.SERVER_KEY_MISMATCH, ErrorCode.DATABASE_MISSING] as number[];
      return folders.includes(error.code) ? ExitCode.DATA_FOLDER : ExitCode.FAILED;
    }
    if (isDatabaseError(error)) {
      err(`magpie-server: ${databaseMessage(error)}`);
      return ExitCode.DATABASE;
    }
    if (isDataFolderError(error)) {
      err(`magpie-server: ${dataFolderMessage(command.dataDir, error)}`);
      return ExitCode.DATA_FOLDER;
    }
    err(`magpie-server: ${(error as Error).message}`);
    return ExitCode.FAILED;
  } finally {
    context?.close();
  }
}
