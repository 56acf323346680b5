import { isMagpieError, errorCodeName } from '../../protocol';
import { runAdminCommand } from './admin-commands';
import { openAdminContext } from './admin-context';
import { parseCommand } from './args';
import { USAGE, UsageError } from './usage';

/** The magpie-server command line. Resolves with the process exit code: 0, 1 on failure, 2 on bad arguments. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const out = (text: string) => process.stdout.write(text + '\n');
  const err = (text: string) => process.stderr.write(text + '\n');
  let command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`magpie-server: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.kind === 'help') {
    out(USAGE);
    return 0;
  }
  if (command.kind === 'start') {
    // loaded only here: admin commands need none of the gateway and services, and start faster
    const { runStart } = await import('./start-command');
    return runStart(command, out);
  }

  let context;
  try {
    context = openAdminContext(command.dataDir);
    out(JSON.stringify(runAdminCommand(context.identity, command), null, 2));
    return 0;
  } catch (error) {
    if (isMagpieError(error)) {
      err(JSON.stringify({ error: { code: error.code, name: errorCodeName(error.code), message: error.message } }));
    } else {
      err(`magpie-server: ${(error as Error).message}`);
    }
    return 1;
  } finally {
    context?.close();
  }
}
