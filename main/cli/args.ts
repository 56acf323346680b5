import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isGroupId, isValidUserId, MESSAGE_LIMITS, textChars } from '../../protocol';
import { MEDIA_LIMITS, type GroupModeName, type LoginAuth } from '../../preload/api';
import { parseServerAddressList } from '../engine/address-book';
import { capacityRule, GROUP_CAPACITIES } from '../groups/group-service';
import { UsageError } from './usage';

export const DEFAULT_SERVER = '127.0.0.1:8883';
export const DEFAULT_TIMEOUT_S = 10;

/** What every command needs to reach its store and, unless offline, the server. */
export interface GlobalOptions {
  readonly servers: string[];
  readonly appId: string;
  readonly auth: LoginAuth;
  /** Undefined: the default profile folder. */
  readonly profileDir: string | undefined;
  /** 0 waits for ever. */
  readonly timeoutMs: number;
  /** A CA certificate (PEM) trusted besides the system's, for a self-signed server. */
  readonly caFile: string | undefined;
  /** Bare remote addresses go plain TCP instead of TLS. */
  readonly insecurePlain: boolean;
  /** Log in with force: this login replaces the user's other sessions of the same kind (bot). */
  readonly force: boolean;
}

export type GroupCommand =
  | { op: 'create'; name: string; mode: GroupModeName; members: string[]; capacity?: number }
  | { op: 'join' | 'quit' | 'dismiss'; groupId: string }
  | { op: 'apply'; groupId: string; reason: string }
  | { op: 'approve'; groupId: string; requestId: number }
  | { op: 'reject'; groupId: string; requestId: number; reason: string }
  | { op: 'invite' | 'kick'; groupId: string; users: string[] }
  | { op: 'members'; groupId: string; limit: number }
  | { op: 'list' | 'requests' }
  | { op: 'mute'; groupId: string; user: string; seconds: number }
  | { op: 'role'; groupId: string; user: string; role: 'admin' | 'member' }
  | { op: 'transfer'; groupId: string; user: string }
  | { op: 'dnd'; groupId: string; on: boolean }
  | { op: 'modify'; groupId: string; name?: string; announcement?: string; mode?: GroupModeName };

export type Command =
  | { kind: 'help'; topic: string }
  | { kind: 'send'; to: string; text: string | undefined; stdin: boolean; custom?: CustomSend; burn?: boolean; mentions?: string[]; mentionAll?: true }
  | { kind: 'send-file'; to: string; path: string; mediaKind: 'voice' | 'image' | 'file'; durationMs: number | undefined }
  | { kind: 'download'; msgId: number; outDir: string }
  | { kind: 'revoke'; msgId: number }
  | { kind: 'read'; conversation: string }
  | { kind: 'burn'; msgId: number }
  | { kind: 'listen'; count: number | undefined }
  | { kind: 'history'; conversation: string; limit: number; offline: boolean }
  /** list (offline), flush (connects and sends), discard (offline: drops failed items, all or the one named) */
  | { kind: 'outbox'; flush: boolean; discard?: { id: string | undefined } }
  | { kind: 'search'; query: string; limit: number }
  | { kind: 'group'; group: GroupCommand }
  | { kind: 'profile'; nickname: string | undefined; avatar: string | undefined };

/** A custom message (command + JSON payload), as `send --custom CMD --payload JSON [--transient]`. */
export interface CustomSend {
  readonly command: string;
  readonly payload: string;
  readonly transient: boolean;
}

export interface ParsedCli {
  readonly command: Command;
  /** Undefined for help. */
  readonly global: GlobalOptions | undefined;
}

const OPTIONS = {
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

type OptionName = keyof typeof OPTIONS;
type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const GLOBAL_OPTIONS: readonly OptionName[] = [
  'server', 'app', 'user', 'token', 'password', 'token-file', 'password-file', 'signed', 'ts', 'md5', 'profile', 'timeout', 'ca', 'insecure-plain', 'force', 'help',
];

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

/** Turns argv (without node and the script) into a command; throws UsageError when it cannot. */
export function parseCli(argv: readonly string[], secrets: SecretSources = processSecretSources): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    // Node's message spans lines ("Did you forget…"): one line, under the command's usage
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, ' '), commandNamed(argv));
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

/** The command an argv names (its first positional), for the usage of an argv that does not parse. */
function commandNamed(argv: readonly string[]): string {
  try {
    const loose = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false });
    return loose.positionals[0] ?? '';
  } catch {
    return '';
  }
}

/**
 * A flag that takes a value is given once: the last of two would win unseen (`--text a --text b`
 * sending only "b"), so a repeat is a usage error naming it. A repeated switch changes nothing.
 */
function onlyOnce(tokens: readonly { kind: string; name?: string; value?: string | undefined }[] | undefined, command: string): void {
  const seen = new Set<string>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || token.name === undefined || OPTIONS[token.name as OptionName]?.type !== 'string') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once: give it once`, command);
    seen.add(token.name);
  }
}

function customOf(values: Values, command: string): CustomSend {
  if (values.text !== undefined || values.stdin) throw new UsageError('give --custom CMD or a text (--text, --stdin), not both', command);
  const custom = values.custom ?? '';
  if (custom.trim() === '') throw new UsageError('--custom must name a command', command);
  // the server's limits, checked before the message is stored (never sent, it would stay failed)
  if (custom.length > MESSAGE_LIMITS.maxCommandChars) {
    throw new UsageError(`--custom is ${custom.length} characters long; the server takes at most ${MESSAGE_LIMITS.maxCommandChars}`, command);
  }
  const payload = values.payload ?? '{}';
  const payloadBytes = Buffer.byteLength(payload, 'utf8');
  if (payloadBytes > MESSAGE_LIMITS.maxCustomPayloadBytes) {
    throw new UsageError(`--payload is ${payloadBytes} bytes; the server takes at most ${MESSAGE_LIMITS.maxCustomPayloadBytes}`, command);
  }
  try {
    JSON.parse(payload);
  } catch (error) {
    throw new UsageError(`--payload must be JSON: ${(error as Error).message}`, command);
  }
  return { command: custom, payload, transient: values.transient ?? false };
}

function parseCommand(name: string, sub: string | undefined, rest: readonly string[], values: Values): Command {
  const allow = (...names: OptionName[]): void => onlyOptions(values, names, name);
  const noMore = (extra: readonly (string | undefined)[]): void => {
    const first = extra.find((e) => e !== undefined);
    if (first !== undefined) throw new UsageError(`unexpected argument: ${first}`, name);
  };
  switch (name) {
    case 'send': {
      allow('to', 'group', 'text', 'stdin', 'custom', 'payload', 'transient', 'file', 'image', 'voice', 'duration', 'burn', 'mention', 'mention-all');
      if (values.burn && (values.text === undefined || values.stdin || values.custom !== undefined || mediaOption(values, name) !== undefined)) {
        throw new UsageError('--burn goes with --text T (burn after reading is for text)', name);
      }
      if (values.burn && values.group !== undefined) throw new UsageError('--burn is for one-to-one messages (--to USER)', name);
      // "magpie send --to bob hello": the words were meant as the text
      const stray = [sub, ...rest].find((e) => e !== undefined);
      if (stray !== undefined && values.text === undefined && !values.stdin && values.custom === undefined && mediaOption(values, name) === undefined) {
        throw new UsageError(`unexpected argument: ${stray} (to send it as the text, write --text ${JSON.stringify([sub, ...rest].filter((e) => e !== undefined).join(' '))})`, name);
      }
      noMore([sub, ...rest]);
      const to = conversationTarget(values.to, values.group, '--to', name);
      const mentioned = mentionsOf(values, to, name);
      const media = mediaOption(values, name);
      if (media !== undefined) {
        if (values.text !== undefined || values.stdin || values.custom !== undefined) {
          throw new UsageError('send either text, --custom or one of --file, --image, --voice', name);
        }
        if (values.duration !== undefined && media.mediaKind !== 'voice') throw new UsageError('--duration is for --voice', name);
        const durationMs = values.duration === undefined ? undefined : positiveInt('--duration', values.duration, name);
        if (media.mediaKind === 'voice' && durationMs === undefined) throw new UsageError('--voice needs --duration MS', name);
        // as the app drops a recording stopped under a second, the CLI sends none that short
        if (media.mediaKind === 'voice' && durationMs !== undefined && durationMs < MEDIA_LIMITS.minVoiceMs) {
          throw new UsageError(`--duration is ${durationMs} ms: a voice message lasts at least ${MEDIA_LIMITS.minVoiceMs} ms (1 second)`, name);
        }
        // the server refuses a longer one only after the upload: refused before any byte goes
        if (media.mediaKind === 'voice' && durationMs !== undefined && durationMs > MEDIA_LIMITS.maxVoiceMs) {
          throw new UsageError(`--duration is ${durationMs} ms: a voice message lasts at most ${MEDIA_LIMITS.maxVoiceMs} ms (60 seconds)`, name);
        }
        return { kind: 'send-file', to, ...media, durationMs };
      }
      if (values.custom !== undefined) return { kind: 'send', to, text: undefined, stdin: false, custom: customOf(values, name) };
      if (values.payload !== undefined || values.transient) throw new UsageError('--payload and --transient go with --custom CMD', name);
      if (values.text === undefined && !values.stdin) {
        throw new UsageError('give what to send: --text T, --stdin, --custom CMD, --file P, --image P or --voice P --duration MS', name);
      }
      if (values.text !== undefined && values.stdin) throw new UsageError('give either --text T or --stdin, not both', name);
      // as --stdin skips a blank line, a text of only spaces is no message
      if (values.text !== undefined && values.text.trim() === '') throw new UsageError('--text must not be empty or only white space', name);
      const tooLong = values.text === undefined ? undefined : textOverLimit(values.text);
      if (tooLong !== undefined) throw new UsageError(`--text is ${tooLong}`, name);
      return { kind: 'send', to, text: values.text, stdin: values.stdin ?? false, ...(values.burn ? { burn: true } : {}), ...mentioned };
    }
    case 'download': {
      allow('out');
      noMore(rest);
      const msgId = msgIdArg(name, sub);
      if (values.out === undefined || values.out === '') throw new UsageError('download needs --out DIR', name);
      return { kind: 'download', msgId, outDir: values.out };
    }
    case 'revoke':
    case 'burn':
      allow();
      noMore(rest);
      return { kind: name, msgId: msgIdArg(name, sub) };
    case 'listen':
      allow('count');
      noMore([sub, ...rest]);
      return { kind: 'listen', count: values.count === undefined ? undefined : positiveInt('--count', values.count, name) };
    case 'history': {
      allow('with', 'group', 'limit', 'offline');
      noMore([sub, ...rest]);
      const conversation = conversationTarget(values.with, values.group, '--with', name);
      return { kind: 'history', conversation, limit: limitOf(values, 50, name), offline: values.offline ?? false };
    }
    case 'read':
      allow('with', 'group');
      noMore([sub, ...rest]);
      return { kind: 'read', conversation: conversationTarget(values.with, values.group, '--with', name) };
    case 'outbox':
      allow();
      if (sub === 'discard') {
        const [id, ...more] = rest;
        noMore(more);
        if (id !== undefined && !/^[0-9a-fA-F]{32}$/.test(id)) {
          throw new UsageError(`outbox discard: ${JSON.stringify(id)} is not an outbox id (the 32 hex digits "magpie outbox" prints)`, name);
        }
        return { kind: 'outbox', flush: false, discard: { id: id?.toLowerCase() } };
      }
      if (sub !== undefined && sub !== 'flush') throw new UsageError(`unknown outbox command: ${sub}`, name);
      noMore(rest);
      return { kind: 'outbox', flush: sub === 'flush' };
    case 'search': {
      allow('limit');
      const query = [sub, ...rest].filter((p) => p !== undefined).join(' ').trim();
      if (query === '') throw new UsageError('search needs TEXT', name);
      return { kind: 'search', query, limit: limitOf(values, 50, name) };
    }
    case 'group':
      return { kind: 'group', group: parseGroup(sub, rest, values) };
    case 'profile':
      allow('nickname', 'avatar');
      if (sub !== 'set') throw new UsageError(sub === undefined ? 'profile needs a subcommand: set' : `unknown profile command: ${sub}`, name);
      noMore(rest);
      if (values.nickname === undefined && values.avatar === undefined) throw new UsageError('give --nickname N or --avatar URL', name);
      return { kind: 'profile', nickname: values.nickname, avatar: values.avatar };
    default:
      throw new UsageError(`unknown command: ${name}`);
  }
}

/** How the desktop composer writes @everyone into a text: "@all", or its label in English or Chinese. */
const MENTION_ALL_LABELS = ['all', 'Everyone', '所有人'] as const;

/**
 * send's --mention U,V and --mention-all: group texts only. The desktop app mentions a user only
 * while its text still holds "@name" for them, so the text must hold "@ID" for each user named,
 * and "@all" (or the app's "@Everyone", "@所有人") for --mention-all. The server's count and id
 * rules are checked here, so a refused list is never stored and left failed in the outbox.
 */
function mentionsOf(values: Values, to: string, command: string): { mentions?: string[]; mentionAll?: true } {
  const all = values['mention-all'] ?? false;
  if (values.mention === undefined && !all) return {};
  const both = values.mention !== undefined && all;
  const flags = both ? '--mention and --mention-all' : values.mention !== undefined ? '--mention' : '--mention-all';
  if (!isGroupId(to)) throw new UsageError(`${flags}: mentions are for group messages (--group GID), not --to`, command);
  if (values.text === undefined || values.stdin || values.custom !== undefined || mediaOption(values, command) !== undefined) {
    throw new UsageError(`${flags} ${both ? 'go' : 'goes'} with --text T (a mention is part of a text)`, command);
  }
  const text = values.text;
  const mentioned: { mentions?: string[]; mentionAll?: true } = {};
  if (values.mention !== undefined) {
    const ids = values.mention.split(',').map((u) => u.trim()).filter((u) => u !== '');
    if (ids.length === 0) throw new UsageError('--mention needs at least one user id (a,b,c)', command);
    const users = [...new Set(ids.map((u) => userId('--mention', u, command)))];
    if (users.length > MESSAGE_LIMITS.maxMentions) {
      throw new UsageError(`--mention names ${users.length} users; the server takes at most ${MESSAGE_LIMITS.maxMentions} in one message`, command);
    }
    const unnamed = users.filter((u) => !text.includes(`@${u}`));
    if (unnamed.length > 0) {
      throw new UsageError(`--text must name each user it mentions, as the app writes it: add ${unnamed.map((u) => `"@${u}"`).join(', ')} to it`, command);
    }
    mentioned.mentions = users;
  }
  if (all) {
    if (!MENTION_ALL_LABELS.some((label) => text.includes(`@${label}`))) {
      throw new UsageError('--text must say whom --mention-all calls, as the app writes it: add "@all" to it', command);
    }
    mentioned.mentionAll = true;
  }
  return mentioned;
}

/**
 * What is wrong with a text the server would refuse for its length (TEXT_TOO_LONG), or undefined:
 * counted as the server counts (code points, protocol's textChars and MESSAGE_LIMITS), so such a
 * text is never stored, sent and left failed in the outbox.
 */
export function textOverLimit(text: string): string | undefined {
  const chars = textChars(text);
  if (chars <= MESSAGE_LIMITS.maxTextChars) return undefined;
  return `${chars} characters long; the server takes at most ${MESSAGE_LIMITS.maxTextChars} (Unicode code points: an emoji or a Chinese character is one)`;
}

/** A server message id as listen and history print it (a client id, 32 hex, is not one yet). */
function msgIdArg(command: string, text: string | undefined): number {
  if (text === undefined) throw new UsageError(`${command} needs MSGID (the message id listen and history print)`, command);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${command}: ${JSON.stringify(text)} is not a message id (a number, as listen and history print it)`, command);
  }
  return Number(text);
}

function modeOf(mode: string, where: string): GroupModeName {
  if (mode !== 'public' && mode !== 'approval' && mode !== 'private') throw new UsageError(`--mode must be public, approval or private, not "${mode}"`, where);
  return mode;
}

function mediaOption(values: Values, where: string): { path: string; mediaKind: 'voice' | 'image' | 'file' } | undefined {
  const given = (['file', 'image', 'voice'] as const).filter((kind) => values[kind] !== undefined);
  if (given.length > 1) throw new UsageError('give one of --file, --image, --voice', where);
  const kind = given[0];
  if (kind === undefined) return undefined;
  const path = values[kind]!;
  if (path === '') throw new UsageError(`--${kind} needs a PATH`, where);
  return { path, mediaKind: kind };
}

function parseGroup(op: string | undefined, rest: readonly string[], values: Values): GroupCommand {
  const where = 'group';
  const allow = (...names: OptionName[]): void => onlyOptions(values, names, `group ${op ?? ''}`.trim(), where);
  if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`, where);
  const groupId = (): string => {
    const id = required('--group', values.group, where);
    if (!isGroupId(id)) throw new UsageError(`--group must be a group id (it starts with "g"), not "${id}"`, where);
    return id;
  };
  const member = (): string => userId('--member', required('--member', values.member, where), where);
  switch (op) {
    case 'create': {
      allow('name', 'mode', 'members', 'capacity');
      const mode = modeOf(values.mode ?? 'public', where);
      const create: GroupCommand = { op, name: required('--name', values.name, where), mode, members: userList(values.members, where, false) };
      if (values.capacity === undefined) return create;
      const capacity = positiveInt('--capacity', values.capacity, where);
      if (!GROUP_CAPACITIES.includes(capacity)) throw new UsageError(`--capacity: ${capacityRule(capacity)}`, where);
      return { ...create, capacity };
    }
    case 'join':
    case 'quit':
    case 'dismiss':
      allow('group');
      return { op, groupId: groupId() };
    case 'apply':
      allow('group', 'reason');
      return { op, groupId: groupId(), reason: values.reason ?? '' };
    case 'approve':
      allow('group', 'request');
      return { op, groupId: groupId(), requestId: positiveInt('--request', required('--request', values.request, where), where) };
    case 'reject':
      allow('group', 'request', 'reason');
      return {
        op,
        groupId: groupId(),
        requestId: positiveInt('--request', required('--request', values.request, where), where),
        reason: values.reason ?? '',
      };
    case 'invite':
    case 'kick':
      allow('group', 'members');
      return { op, groupId: groupId(), users: userList(values.members, where, true) };
    case 'members':
      allow('group', 'limit');
      return { op, groupId: groupId(), limit: limitOf(values, 100, where) };
    case 'list':
    case 'requests':
      allow();
      return { op };
    case 'mute': {
      allow('group', 'member', 'seconds');
      const seconds = wholeNumber('--seconds', required('--seconds', values.seconds, where), where, 0);
      return { op, groupId: groupId(), user: member(), seconds };
    }
    case 'role': {
      allow('group', 'member', 'role');
      const role = required('--role', values.role, where);
      if (role !== 'admin' && role !== 'member') throw new UsageError(`--role must be admin or member, not "${role}"`, where);
      return { op, groupId: groupId(), user: member(), role };
    }
    case 'transfer':
      allow('group', 'member');
      return { op, groupId: groupId(), user: member() };
    case 'dnd':
      allow('group', 'on', 'off');
      if (values.on === values.off || (values.on ?? false) === (values.off ?? false)) throw new UsageError('give either --on or --off', where);
      return { op, groupId: groupId(), on: values.on ?? false };
    case 'modify': {
      allow('group', 'name', 'announcement', 'mode');
      const { name, announcement, mode } = values;
      if (name === undefined && announcement === undefined && mode === undefined) throw new UsageError('give --name, --announcement or --mode', where);
      return {
        op,
        groupId: groupId(),
        ...(name === undefined ? {} : { name: required('--name', name, where) }),
        // an empty announcement clears it
        ...(announcement === undefined ? {} : { announcement }),
        ...(mode === undefined ? {} : { mode: modeOf(mode, where) }),
      };
    }
    case undefined:
      throw new UsageError('group needs a subcommand', where);
    default:
      throw new UsageError(`unknown group command: ${op}`, where);
  }
}

function parseGlobal(values: Values, command: string, parsed: Command, secrets: SecretSources): GlobalOptions {
  const servers = values.server ?? DEFAULT_SERVER;
  try {
    if (parseServerAddressList(servers).length === 0) throw new Error('no address');
  } catch {
    throw new UsageError(`--server must be [tls://|tcp://]host:port[,...], not "${servers}"`, command);
  }
  const appId = required('--app', values.app, command);
  const user = required('--user', values.user, command);
  const secret = loginSecret(values, command, parsed, secrets);
  let auth: LoginAuth;
  if (secret.kind === 'token') auth = { type: 'appToken', user: userId('--user', user, command), token: secret.value };
  else if (secret.kind === 'password') auth = { type: 'password', user, password: secret.value };
  else {
    const timestamp = required('--ts', values.ts, command);
    auth = { type: 'signed', user: userId('--user', user, command), signature: secret.value, timestamp, algorithm: values.md5 ? 'md5' : 'hmac-sha256' };
  }
  if (values.signed === undefined && (values.ts !== undefined || values.md5)) throw new UsageError('--ts and --md5 go with --signed', command);
  const timeoutText = values.timeout ?? String(DEFAULT_TIMEOUT_S);
  const timeoutS = Number(timeoutText);
  if (timeoutText.trim() === '' || !Number.isFinite(timeoutS) || timeoutS < 0 || timeoutS > MAX_TIMEOUT_S) {
    throw new UsageError(`--timeout must be a number of seconds from 0 (waits for ever) to ${MAX_TIMEOUT_S}, not "${timeoutText}"`, command);
  }
  return {
    servers: servers.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    appId,
    auth,
    profileDir: values.profile,
    // a positive timeout below a millisecond is not 0, which waits for ever
    timeoutMs: timeoutS === 0 ? 0 : Math.max(1, Math.round(timeoutS * 1000)),
    caFile: values.ca === undefined ? undefined : required('--ca', values.ca, command),
    insecurePlain: values['insecure-plain'] ?? false,
    force: values.force ?? false,
  };
}

/**
 * The login secret, from exactly one place: an argument (--token, --password, --signed), a file
 * (--token-file, --password-file; "-" reads the first line of stdin), or, when none is given, the
 * environment (MAGPIE_TOKEN or MAGPIE_PASSWORD). Arguments show in `ps`; files and the
 * environment do not.
 */
function loginSecret(
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

function onlyOptions(values: Values, allowed: readonly OptionName[], command: string, usage = command): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || GLOBAL_OPTIONS.includes(name as OptionName) || allowed.includes(name as OptionName)) continue;
    throw new UsageError(`--${name} does not apply to "${command}"`, usage);
  }
}

function conversationTarget(user: string | undefined, group: string | undefined, userFlag: string, command: string): string {
  if ((user === undefined) === (group === undefined)) throw new UsageError(`give either ${userFlag} USER or --group GID`, command);
  if (group !== undefined) {
    if (!isGroupId(group)) throw new UsageError(`--group must be a group id (it starts with "g"), not "${group}"`, command);
    return group;
  }
  return userId(userFlag, user!, command);
}

function userId(flag: string, id: string, command: string): string {
  if (!isValidUserId(id)) throw new UsageError(`${flag} must be a user id (letters, digits, _ and -, not starting with "g"), not "${id}"`, command);
  return id;
}

function userList(text: string | undefined, command: string, needed: boolean): string[] {
  const users = (text ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  if (needed && users.length === 0) throw new UsageError('--members needs at least one user id (a,b,c)', command);
  return users.map((u) => userId('--members', u, command));
}

function required(flag: string, value: string | undefined, command: string): string {
  if (value === undefined) throw new UsageError(`${flag} is required`, command);
  // given but blank: usually an unset shell variable ("--name $NAME"), which "is required" hides
  if (value.trim() === '') throw new UsageError(`${flag} is empty${value === '' ? '' : ' (only white space)'}: give a value`, command);
  return value;
}

/** The largest count, size, duration or id a flag takes: the wire's 32-bit fields hold no more. */
const MAX_FLAG_NUMBER = 0xffff_ffff;

/** The longest --timeout: Node's timers fire at once past 2^31 - 1 ms. */
const MAX_TIMEOUT_S = Math.floor(0x7fff_ffff / 1000);

function wholeNumber(flag: string, text: string, command: string, min: 0 | 1): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > MAX_FLAG_NUMBER) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${MAX_FLAG_NUMBER}, not "${text}"`, command);
  }
  return value;
}

function positiveInt(flag: string, text: string, command: string): number {
  return wholeNumber(flag, text, command, 1);
}

function limitOf(values: Values, fallback: number, command: string): number {
  return values.limit === undefined ? fallback : positiveInt('--limit', values.limit, command);
}
