import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_PORT, DEFAULT_TLS_PORT, type TlsConfig } from '../config';
import { advertiseProblem, splitAdvertiseList } from '../cluster/advertised-addresses';
import { DatabaseUrlError, parsePgUrl } from '../storage/pg/pg-url';
import { parseClusterFlags, type ClusterFlags } from './cluster-args';
import { UsageError } from './usage';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Command =
  | { kind: 'help' }
  | { kind: 'start'; dataDir: string; database: string | undefined; host: string; port: number; httpPort: number; tls: TlsConfig | undefined; logLevel: LogLevel; demo: boolean; advertise: string[]; cluster?: ClusterFlags }
  | { kind: 'account-create'; dataDir: string; database: string | undefined }
  | { kind: 'account-rotate-token'; dataDir: string; database: string | undefined; accountSid: string }
  | { kind: 'app-create'; dataDir: string; database: string | undefined; accountSid: string; name: string }
  | { kind: 'app-state'; dataDir: string; database: string | undefined; appId: string; state: 'online' | 'offline' }
  | { kind: 'app-list'; dataDir: string; database: string | undefined; accountSid: string }
  | { kind: 'user-create'; dataDir: string; database: string | undefined; appId: string; name: string }
  | { kind: 'user-list'; dataDir: string; database: string | undefined; appId: string }
  | { kind: 'user-close'; dataDir: string; database: string | undefined; subAccountSid: string }
  | { kind: 'user-reopen'; dataDir: string; database: string | undefined; subAccountSid: string };

const OPTIONS = {
  data: { type: 'string' },
  db: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-port': { type: 'string' },
  'http-port': { type: 'string' },
  'log-level': { type: 'string' },
  advertise: { type: 'string' },
  cluster: { type: 'boolean' },
  nats: { type: 'string' },
  'node-id': { type: 'string' },
  'cluster-name': { type: 'string' },
  demo: { type: 'boolean' },
  account: { type: 'string' },
  app: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Turns argv (without node and the script) into a command; throws UsageError when it cannot. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { kind: 'help' };
  // no command is a mistake like a wrong one (exit 2), not a request for help
  if (positionals.length === 0) throw new UsageError('no command given');
  const dataDir = values.data ?? DEFAULT_DATA_DIR;
  const database = parseDatabase(values.db);
  const [group, action, target, ...extra] = positionals;
  const allow = (...names: (keyof typeof OPTIONS)[]) => onlyOptions(values, ['data', 'db', 'help', ...names], positionals.join(' '));
  const noMore = (count: number) => {
    if (positionals.length > count) throw new UsageError(`unexpected argument: ${positionals[count]}`);
  };

  switch (`${group} ${action ?? ''}`.trim()) {
    case 'start': {
      allow('host', 'port', 'http-port', 'tls-cert', 'tls-key', 'tls-port', 'log-level', 'demo', 'advertise', 'cluster', 'nats', 'node-id', 'cluster-name');
      noMore(1);
      const cluster = parseClusterFlags(values, database);
      return checkedPorts({
        kind: 'start',
        dataDir,
        database,
        host: values.host ?? DEFAULT_HOST,
        port: parsePort('--port', values.port, DEFAULT_PORT),
        httpPort: parsePort('--http-port', values['http-port'], DEFAULT_HTTP_PORT),
        tls: parseTls(values),
        logLevel: parseLogLevel(values['log-level']),
        demo: values.demo ?? false,
        advertise: parseAdvertise(values.advertise),
        ...(cluster ? { cluster } : {}),
      });
    }
    case 'account create':
      allow();
      noMore(2);
      return { kind: 'account-create', dataDir, database };
    case 'account rotate-token':
      allow('account');
      noMore(2);
      return { kind: 'account-rotate-token', dataDir, database, accountSid: required('--account', values.account) };
    case 'app create':
      allow('account', 'name');
      noMore(2);
      return { kind: 'app-create', dataDir, database, accountSid: required('--account', values.account), name: given('--name', values.name) };
    case 'app online':
    case 'app offline':
      allow();
      if (!target) throw new UsageError(`app ${action} needs an APPID`);
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
      return { kind: 'app-state', dataDir, database, appId: target, state: action === 'online' ? 'online' : 'offline' };
    case 'app list':
      allow('account');
      noMore(2);
      return { kind: 'app-list', dataDir, database, accountSid: required('--account', values.account) };
    case 'user create':
      allow('app', 'name');
      noMore(2);
      return { kind: 'user-create', dataDir, database, appId: required('--app', values.app), name: given('--name', values.name) };
    case 'user list':
      allow('app');
      noMore(2);
      return { kind: 'user-list', dataDir, database, appId: required('--app', values.app) };
    case 'user close':
    case 'user reopen':
      allow();
      if (!target) throw new UsageError(`user ${action} needs a SUBACCOUNTSID`);
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
      return { kind: action === 'close' ? 'user-close' : 'user-reopen', dataDir, database, subAccountSid: target };
    default:
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

/** The listeners cannot share a port (the TLS and HTTP defaults are both 8884: TLS users pick one). */
function checkedPorts(command: Extract<Command, { kind: 'start' }>): Command {
  const ports = [command.port, command.httpPort, ...(command.tls ? [command.tls.port] : [])].filter((port) => port !== 0);
  if (new Set(ports).size !== ports.length) throw new UsageError(`--port, --http-port and --tls-port must differ (got ${ports.join(', ')})`);
  return command;
}

function onlyOptions(values: Values, allowed: readonly string[], command: string): void {
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && !allowed.includes(name)) throw new UsageError(`--${name} does not apply to "${command}"`);
  }
}

/** --db: a PostgreSQL URL, checked here so a typo is a usage error before anything opens. */
function parseDatabase(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    parsePgUrl(text);
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw new UsageError(`--db: ${error.message}`);
    throw error;
  }
  return text;
}

/**
 * A name flag only has to be there: a blank or overlong name is the identity service's to refuse,
 * with the same INVALID_USER_ID and rule the REST API gives ("is all spaces", "is empty", …).
 */
function given(flag: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  return value;
}

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}

function parsePort(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`${flag} must be a port number (0-65535), not "${text}"`);
  return port;
}

function parseTls(values: Values): TlsConfig | undefined {
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if (certFile === undefined && keyFile === undefined) {
    if (values['tls-port'] !== undefined) throw new UsageError('--tls-port needs --tls-cert and --tls-key');
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) throw new UsageError('--tls-cert and --tls-key go together');
  return { certFile, keyFile, port: parsePort('--tls-port', values['tls-port'], DEFAULT_TLS_PORT) };
}

function parseAdvertise(text: string | undefined): string[] {
  if (text === undefined) return [];
  const addresses = splitAdvertiseList(text);
  const problem = addresses.length === 0 ? 'needs at least one address' : advertiseProblem(addresses);
  if (problem) throw new UsageError(`--advertise ADDR[,ADDR...]: ${problem}`);
  return addresses;
}

function parseLogLevel(text: string | undefined): LogLevel {
  if (text === undefined) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(text)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return text as LogLevel;
}
