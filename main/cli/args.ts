import { parseArgs } from 'node:util';
import { closestName } from './argv/closest-name';
import { parseCommand } from './argv/command-args';
import { onlyOnce, OPTIONS, type Values } from './argv/flags';
import { parseGlobal } from './argv/global-args';
import { processSecretSources, type SecretSources } from './argv/login-secret';
import type { ParsedCli } from './argv/parsed-command';
import { UsageError } from './usage';

// the command line's entry point: what the rest of the CLI takes from the parsers in argv/
export type { Command, CommandOf, CustomSend, GlobalOptions, GroupCommand, ParsedCli } from './argv/parsed-command';
export { isLocalCommand, type SecretSources } from './argv/login-secret';
export { textOverLimit } from './argv/send-content';

/** Turns argv (without node and the script) into a command; throws UsageError when it cannot. */
export function parseCli(argv: readonly string[], secrets: SecretSources = processSecretSources): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    // Node's message spans lines ("Did you forget…"): one line, under the command's usage
    const message = (error as Error).message;
    throw new UsageError(unknownFlag(argv) ?? missingValue(argv, message) ?? message.replace(/\s*\n\s*/g, ' '), commandNamed(argv));
  }
  const values = parsed.values as Values;
  const positionals = parsed.positionals;
  const [name, sub, ...rest] = positionals;
  if (name === undefined || name === 'help') return { command: { kind: 'help', topic: sub ?? '' }, global: undefined };
  if (values.help) return { command: { kind: 'help', topic: name }, global: undefined };
  onlyOnce(parsed.tokens, name);
  const command = parseCommand(name, sub, rest, values);
  return { command, global: parseGlobal(values, name, command, secrets) };
}

/**
 * A flag magpie does not know, said as such with the one it most likely meant. Node's own message
 * for it talks of positional arguments after `--`, which sends a user who typed `--txt` astray.
 */
function unknownFlag(argv: readonly string[]): string | undefined {
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false, tokens: true }));
  } catch {
    return undefined;
  }
  const known = Object.keys(OPTIONS);
  const unknown = tokens.find((token) => token.kind === 'option' && !known.includes(token.name));
  if (unknown?.kind !== 'option') return undefined;
  const meant = closestName(unknown.name, known);
  return `unknown flag ${unknown.rawName}${meant === undefined ? '' : ` (did you mean --${meant}?)`}`;
}

/**
 * A flag given without its value, said in magpie's words: Node's own ("Option '--text <value>'
 * argument missing", "argument is ambiguous. Did you forget…") reads like a parser's internals.
 */
function missingValue(argv: readonly string[], message: string): string | undefined {
  const match = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (missing|is ambiguous)/.exec(message);
  if (!match) return undefined;
  const flag = match[1]!;
  const next = match[2] === 'missing' ? undefined : argv[argv.indexOf(flag) + 1];
  if (next === undefined) return `${flag} needs a value`;
  if (next.startsWith('--') && Object.hasOwn(OPTIONS, next.slice(2).split('=')[0]!)) return `${flag} needs a value (${next} after it is a flag)`;
  return `${flag} needs a value: ${next} after it starts with a dash, so it is taken for a flag; write ${flag}=${next}`;
}

/** The command an argv names (its first positional), for the usage of an argv that does not parse. */
function commandNamed(argv: readonly string[]): string {
  try {
    const loose = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false });
    return loose.positionals[0] ?? '';
  } catch {
    return '';
  }
}
