import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { ErrorCode, MagpieError, pb } from '../../protocol';
import { createChatService, type ChatService } from '../chat/chat-service';
import { failedRace } from '../client/failed-race';
import { loginRequest } from '../client/login-request';
import { MagpieClient } from '../client/magpie-client';
import { createGroupService, type GroupService } from '../groups/group-service';
import { createProfileService, type ProfileService } from '../profiles/profile-service';
import { loadDeviceId } from '../settings/device-id';
import { clientStorePath } from '../store/database';
import { localStoreUnavailable } from '../store/store-failure';
import { errorLine } from './output';
import { cliTuning } from '../engine/tuning';
import { defaultProfileDir } from '../shell/profile-dir';
import type { GlobalOptions } from './args';
import { loadLearnedServers, saveLearnedServers } from './learned-servers';

/** Exit codes, as documented in the usage text and docs/client.md. */
export const ExitCode = {
  OK: 0,
  REFUSED: 1,
  USAGE: 2,
  TIMEOUT: 3,
  LOGIN_FAILED: 4,
  LOCAL_STORE_CORRUPT: 5,
  LOCAL_STORE_UNAVAILABLE: 6,
} as const;

/** A command ends with this exit code; the error (if any) is printed as a JSON line on stderr. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    readonly error?: unknown,
  ) {
    super(error instanceof Error ? error.message : `exit ${exitCode}`);
    this.name = 'CliExit';
  }
}

/** Where the command prints and what stops it early (Ctrl-C). */
export interface CliIo {
  /** Prints a line on stdout; written, when given, is told once the line is out (false: it could not be written). */
  out(line: object, written?: (ok: boolean) => void): void;
  err(line: object): void;
  readonly stdin: NodeJS.ReadableStream;
  readonly signal: AbortSignal;
}

/** The point in time after which a command gives up; 0 ms means never. */
export interface Deadline {
  /** Resolves with the promise's value, or rejects with REQUEST_TIMEOUT when the deadline passes first. */
  race<T>(promise: Promise<T>, what: string): Promise<T>;
  /** Resolves when the deadline passes (never for no deadline) or the command is interrupted. */
  readonly reached: Promise<void>;
}

/** The longest a Node timer waits: the tick that keeps a command without a deadline alive. */
const FOREVER_TICK_MS = 0x7fff_ffff;

export function createDeadline(timeoutMs: number, signal: AbortSignal): Deadline & { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const reached = new Promise<void>((resolve) => {
    if (timeoutMs > 0) timer = setTimeout(resolve, timeoutMs);
    // no deadline (--timeout 0) holds the process open as a deadline's timer does: the engine's
    // timers are unref'd (the client must never keep its host alive), so while the link is down
    // and a reconnect waits, nothing else would, and Node would end the command with exit 0
    else timer = setInterval(() => undefined, FOREVER_TICK_MS);
    onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const seconds = timeoutMs / 1000;
  return {
    reached,
    race<T>(promise: Promise<T>, what: string): Promise<T> {
      const expired = reached.then((): never => {
        throw new MagpieError(ErrorCode.REQUEST_TIMEOUT, signal.aborted ? `interrupted while ${what}` : `${what}: no result within ${seconds} s`);
      });
      return Promise.race([promise, expired]);
    },
    cancel() {
      clearTimeout(timer);
      clearInterval(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    },
  };
}

/** One signed-in user for one command: the store at once, the connection on connect(). */
export interface CliSession {
  readonly client: MagpieClient;
  readonly chat: ChatService;
  readonly groups: GroupService;
  readonly profiles: ProfileService;
  readonly deadline: Deadline;
  /** The profile folder this session's store lives in. */
  readonly profileDir: string;
  /**
   * Connects and logs in within the deadline, then waits for the catch-up sync. Fails with
   * CliExit 4 for a login the server refused, 3 when no server answered in time.
   */
  connect(): Promise<void>;
  /**
   * Rejects with CliExit 4 when the server ends the session (KICKED: the sub-account closed, the
   * app taken offline, a forced login elsewhere) or refuses a reconnect for good; the engine does
   * not reconnect then, so a command still running must end too. Never resolves.
   */
  readonly ended: Promise<never>;
  close(): void;
}

export function cliProfileDir(global: Pick<GlobalOptions, 'profileDir'>): string {
  return global.profileDir ?? join(defaultProfileDir(), 'cli');
}

/**
 * The store a local command (no login: global.auth undefined) reads must be there already: one
 * that is not (a never-used --profile, --app or --user, or a typo in one) is NO_MAGPIE_DATA, exit
 * 2, and nothing is made, rather than an empty store made and an empty answer that looks like
 * success.
 */
function requireStore(global: GlobalOptions, profileDir: string): void {
  // a file where the folder should be is the bad --profile it is for every command
  if (existsSync(profileDir) && !statSync(profileDir).isDirectory()) {
    throw new CliExit(ExitCode.USAGE, new MagpieError(ErrorCode.BAD_ARGUMENT, `--profile ${profileDir}: ${NOT_A_FOLDER}`));
  }
  let file: string;
  try {
    file = clientStorePath(profileDir, global.appId, global.user);
  } catch (error) {
    throw new CliExit(ExitCode.USAGE, error);
  }
  if (existsSync(file)) return;
  const why =
    `no Magpie data for user ${global.user} of app ${global.appId} in ${profileDir}: nothing was stored there yet. ` +
    'Run a command that connects (listen, history without --offline) with the login first, or check --profile, --app and --user';
  throw new CliExit(ExitCode.USAGE, new MagpieError(ErrorCode.NO_MAGPIE_DATA, why));
}

export function openCliSession(global: GlobalOptions, io: CliIo, log: Logger = cliLogger()): CliSession {
  const profileDir = cliProfileDir(global);
  const { auth } = global;
  // a local command makes nothing: neither the folder, nor a store, nor a device id
  if (auth === undefined) requireStore(global, profileDir);
  else makeProfileDir(profileDir);
  const login =
    auth === undefined
      ? {}
      : loginRequest(global.appId, auth, { device: pb.DeviceKind.BOT, mode: global.force ? 'force' : 'auto', deviceId: loadDeviceId(profileDir) });
  const client = new MagpieClient({
    profileDir,
    servers: global.servers,
    learnedServers: loadLearnedServers(profileDir, global.servers),
    transport: { insecurePlain: global.insecurePlain, ...(global.caFile === undefined ? {} : { caPem: readCaFile(global.caFile) }) },
    login: { ...login, appId: global.appId, user: global.user },
    log,
    clientName: 'magpie-cli',
    // one person waits on this command: back within a second of a restarted server listening
    tuning: cliTuning,
  });
  client.events.on('learnedServers', (learned) => {
    try {
      saveLearnedServers(profileDir, global.servers, learned);
    } catch (error) {
      log.warn({ err: error }, 'could not keep the advertised server addresses');
    }
  });
  const deadline = createDeadline(global.timeoutMs, io.signal);
  let endSession: (error: CliExit) => void = () => undefined;
  const ended = new Promise<never>((_, reject) => (endSession = reject));
  // a command that never connects never ends this way: nobody need be listening
  ended.catch(() => undefined);
  client.events.on('status', (status) => {
    const final = status.state === 'kicked' || (status.state === 'offline' && status.code !== undefined);
    if (!final) return;
    const code = status.code ?? ErrorCode.KICKED_OFF;
    const why = status.reason ?? 'the server ended the session';
    endSession(new CliExit(ExitCode.LOGIN_FAILED, new MagpieError(code, status.state === 'kicked' ? `the server ended this session: ${why}` : why)));
  });
  reportStoreTrouble(client, io, clientStorePath(profileDir, global.appId, global.user));
  let connecting: Promise<void> | undefined;
  return {
    client,
    chat: createChatService(client),
    groups: createGroupService(client),
    profiles: createProfileService(client),
    deadline,
    profileDir,
    ended,
    connect() {
      // the parser gives every command that connects a login: a local one never gets here
      if (auth === undefined) return Promise.reject(new Error('a local command has no login to connect with'));
      connecting ??= (async () => {
        try {
          // an address of the other transport fails the command at once; an outage is waited for
          const wrongTransport = failedRace(client, (code) => code !== undefined && WRONG_TRANSPORT_CODES.has(code));
          await deadline.race(Promise.race([client.start(), wrongTransport.failed]).finally(wrongTransport.stop), 'connecting');
        } catch (error) {
          if (error instanceof MagpieError && error.code === ErrorCode.REQUEST_TIMEOUT) {
            const status = client.status;
            const why = status.reason ? ` (${status.reason})` : '';
            throw new CliExit(ExitCode.TIMEOUT, new MagpieError(status.code ?? ErrorCode.NOT_CONNECTED, `could not connect and log in${why}: ${error.message}`));
          }
          throw new CliExit(ExitCode.LOGIN_FAILED, error);
        }
        await deadline.race(client.syncIdle(), 'syncing');
      })();
      return connecting;
    },
    close() {
      deadline.cancel();
      client.events.removeAllListeners();
      client.close();
    },
  };
}

/**
 * The store's disk full (or read-only) while the command runs: what arrives cannot be stored, and
 * the engine tries again until it can. Said once on stderr, as an error line, and again after the
 * store took something in between: a `listen` that prints nothing must not look like a quiet inbox.
 */
function reportStoreTrouble(client: MagpieClient, io: CliIo, file: string): void {
  let told = false;
  client.events.on('error', (error) => {
    const unavailable = localStoreUnavailable(error, file);
    if (!unavailable || told) return;
    told = true;
    io.err(errorLine(unavailable));
  });
  client.events.on('ingested', () => (told = false));
}

/**
 * A port of the other transport (a plain address on the TLS port, tls:// on the plain one), or a
 * web port (the server's HTTP port): the
 * engine retries it, as a server may be reconfigured, but a command fails at once, with the
 * address to write, as the sign-in form does, instead of at its deadline.
 */
const WRONG_TRANSPORT_CODES: ReadonlySet<number> = new Set([ErrorCode.TLS_REQUIRED, ErrorCode.TLS_UNAVAILABLE, ErrorCode.NOT_MAGPIE_PORT]);

const NOT_A_FOLDER = 'not a folder (a file is in the way)';

/** The profile folder, made if missing; a path that cannot be one is a bad argument (exit 2). */
function makeProfileDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? NOT_A_FOLDER : (error as Error).message;
    throw new CliExit(ExitCode.USAGE, new MagpieError(ErrorCode.BAD_ARGUMENT, `--profile ${dir}: ${why}`));
  }
}

function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliExit(ExitCode.USAGE, new MagpieError(ErrorCode.CERTIFICATE_REJECTED, `--ca ${file}: ${(error as Error).message}`));
  }
}

/** Silent unless MAGPIE_LOG_LEVEL asks; always on stderr, so stdout stays JSON lines. */
export function cliLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  return pino({ level: env['MAGPIE_LOG_LEVEL'] ?? 'silent' }, pino.destination(2));
}

