import { UsageError } from '../usage';

/** Every flag magpie takes; which command takes which is said by each command's parser. */
export const OPTIONS = {
  // global
  server: { type: 'string' },
  app: { type: 'string' },
  user: { type: 'string' },
  token: { type: 'string' },
  password: { type: 'string' },
  'token-file': { type: 'string' },
  'password-file': { type: 'string' },
  signed: { type: 'string' },
  ts: { type: 'string' },
  md5: { type: 'boolean' },
  profile: { type: 'string' },
  timeout: { type: 'string' },
  ca: { type: 'string' },
  'insecure-plain': { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  // commands
  to: { type: 'string' },
  group: { type: 'string' },
  text: { type: 'string' },
  stdin: { type: 'boolean' },
  custom: { type: 'string' },
  payload: { type: 'string' },
  transient: { type: 'boolean' },
  count: { type: 'string' },
  with: { type: 'string' },
  limit: { type: 'string' },
  offline: { type: 'boolean' },
  name: { type: 'string' },
  mode: { type: 'string' },
  announcement: { type: 'string' },
  members: { type: 'string' },
  capacity: { type: 'string' },
  reason: { type: 'string' },
  request: { type: 'string' },
  member: { type: 'string' },
  seconds: { type: 'string' },
  role: { type: 'string' },
  on: { type: 'boolean' },
  off: { type: 'boolean' },
  card: { type: 'string' },
  clear: { type: 'boolean' },
  nickname: { type: 'string' },
  avatar: { type: 'string' },
  file: { type: 'string' },
  image: { type: 'string' },
  voice: { type: 'string' },
  duration: { type: 'string' },
  out: { type: 'string' },
  burn: { type: 'boolean' },
  mention: { type: 'string' },
  'mention-all': { type: 'boolean' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const GLOBAL_OPTIONS: readonly OptionName[] = [
  'server', 'app', 'user', 'token', 'password', 'token-file', 'password-file', 'signed', 'ts', 'md5', 'profile', 'timeout', 'ca', 'insecure-plain', 'force', 'help',
];

/**
 * A flag that takes a value is given once: the last of two would win unseen (`--text a --text b`
 * sending only "b"), so a repeat is a usage error naming it. A repeated switch changes nothing.
 */
export function onlyOnce(tokens: readonly { kind: string; name?: string; value?: string | undefined }[] | undefined, command: string): void {
  const seen = new Set<string>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || token.name === undefined || OPTIONS[token.name as OptionName]?.type !== 'string') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once: give it once`, command);
    seen.add(token.name);
  }
}

/** Refuses a flag given that is neither global nor one of those the command takes. */
export function onlyOptions(values: Values, allowed: readonly OptionName[], command: string, usage = command): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || GLOBAL_OPTIONS.includes(name as OptionName) || allowed.includes(name as OptionName)) continue;
    throw new UsageError(`--${name} does not apply to "${command}"`, usage);
  }
}

/** Refuses the first positional argument left over once the command has taken its own. */
export function noMoreArguments(extra: readonly (string | undefined)[], command: string): void {
  const first = extra.find((e) => e !== undefined);
  if (first !== undefined) throw new UsageError(`unexpected argument: ${first}`, command);
}

export function required(flag: string, value: string | undefined, command: string): string {
  if (value === undefined) throw new UsageError(`${flag} is required`, command);
  // given but blank: usually an unset shell variable ("--name $NAME"), which "is required" hides
  if (value.trim() === '') throw new UsageError(`${flag} is empty${value === '' ? '' : ' (only white space)'}: give a value`, command);
  return value;
}
