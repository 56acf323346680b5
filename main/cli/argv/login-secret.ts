import { readFileSync } from 'node:fs';
import { UsageError } from '../usage';
import type { Command } from './parsed-command';
import { required, type Values } from './flags';

/** The environment variables that may carry the secret instead of an argument (visible in ps). */
export const TOKEN_ENV = 'MAGPIE_TOKEN';
export const PASSWORD_ENV = 'MAGPIE_PASSWORD';

/** Where secrets may come from besides the command line. */
export interface SecretSources {
  readonly env: NodeJS.ProcessEnv;
  /** The text of a file; "-" is stdin. */
  readFile(path: string): string;
}

export const processSecretSources: SecretSources = {
  env: process.env,
  readFile: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
};

/**
 * A command that only reads or edits the local store and never connects: history --offline,
 * search, outbox (the listing) and outbox discard. It needs no login secret (the store is the OS
 * user's to read anyway, as the desktop app shows history offline without one); one given is
 * ignored, never read (a --token-file is not opened, stdin not touched).
 */
export function isLocalCommand(command: Command): boolean {
  switch (command.kind) {
    case 'history':
      return command.offline;
    case 'search':
      return true;
    case 'outbox':
      return !command.flush;
    default:
      return false;
  }
}

/**
 * The login secret, from exactly one place: an argument (--token, --password, --signed), a file
 * (--token-file, --password-file; "-" reads the first line of stdin), or, when none is given, the
 * environment (MAGPIE_TOKEN or MAGPIE_PASSWORD). Arguments show in `ps`; files and the
 * environment do not.
 */
export function loginSecret(
  values: Values,
  command: string,
  parsed: Command,
  secrets: SecretSources,
): { kind: 'token' | 'password' | 'signed'; value: string } {
  const given = [
    values.token !== undefined && 'token',
    values['token-file'] !== undefined && 'token-file',
    values.password !== undefined && 'password',
    values['password-file'] !== undefined && 'password-file',
    values.signed !== undefined && 'signed',
  ].filter((way): way is string => way !== false);
  if (given.length > 1) throw new UsageError(`log in one way only, not ${given.map((w) => `--${w}`).join(' and ')}`, command);
  // an empty secret (an unset variable in "--token $TOKEN") is refused here, as an empty file is,
  // not sent to the server, which would leave the message failed in the outbox
  if (values.token !== undefined) return { kind: 'token', value: required('--token', values.token, command) };
  if (values.password !== undefined) return { kind: 'password', value: required('--password', values.password, command) };
  if (values.signed !== undefined) return { kind: 'signed', value: required('--signed', values.signed, command) };
  const file = values['token-file'] ?? values['password-file'];
  if (file !== undefined) {
    const kind = values['token-file'] !== undefined ? 'token' : 'password';
    if (file === '-' && parsed.kind === 'send' && parsed.stdin) {
      throw new UsageError(`--${kind}-file - and send --stdin cannot both read stdin`, command);
    }
    let text: string;
    try {
      text = secrets.readFile(file);
    } catch (error) {
      throw new UsageError(`--${kind}-file ${file}: ${(error as Error).message}`, command);
    }
    const value = (text.split(/\r?\n/)[0] ?? '').trim();
    if (value === '') throw new UsageError(`--${kind}-file ${file} holds no ${kind} on its first line`, command);
    return { kind, value };
  }
  const fromEnv = [TOKEN_ENV, PASSWORD_ENV].filter((name) => (secrets.env[name] ?? '') !== '');
  if (fromEnv.length > 1) throw new UsageError(`set only one of ${TOKEN_ENV} and ${PASSWORD_ENV}`, command);
  if (fromEnv[0] === TOKEN_ENV) return { kind: 'token', value: secrets.env[TOKEN_ENV]! };
  if (fromEnv[0] === PASSWORD_ENV) return { kind: 'password', value: secrets.env[PASSWORD_ENV]! };
  throw new UsageError(
    `log in with exactly one of --token, --token-file, --password, --password-file or --signed (with --ts), or set ${TOKEN_ENV} or ${PASSWORD_ENV}`,
    command,
  );
}
