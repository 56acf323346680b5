import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCode, MagpieError } from '../../protocol';
import type { DemoInfo } from '../../preload/api';
import type { LocalServerRoute } from './local-route';
import { ensureIdentity, peerFingerprint, portAccepts, readRecord, writeRecord } from './local-server-identity';

/**
 * The local demo server, for a first run with no server of one's own: a Magpie server process of
 * its own (detached: it outlives the window that started it, and every shell of this user shares
 * it), with its own data folder. Reused only after it proved to be that server (its TLS key's
 * fingerprint); its demo accounts are read from its own demo.json, so they are never stale.
 */
export interface LocalServer {
  /** Its plain loopback address, which the login screen offers (and the CLI may use). */
  readonly address: string;
  /** How the app dials it: over TLS, its own certificate the proof (local-route.ts). */
  readonly route: LocalServerRoute;
  readonly demo: DemoInfo | undefined;
  readonly pid: number | undefined;
  /** True when it was already running (started by another shell or an earlier run). */
  readonly reused: boolean;
  /** Its HTTP port (files, REST, the developer console), as recorded at its start; undefined when not recorded. */
  readonly httpPort: number | undefined;
}

/** Where this folder's server runs, when it runs on other ports than those asked for. */
export interface RunningLocalServer {
  readonly host: string;
  readonly port: number;
  readonly tlsPort: number;
  readonly httpPort: number | undefined;
  readonly pid: number | undefined;
}

/**
 * LOCAL_SERVER_ELSEWHERE: this data folder's server runs, proven ours, on other ports than those
 * asked for. A second one on the same folder is not started (its data-folder lock would refuse it
 * anyway); the shell says how to use the running one or how to stop it.
 */
export class LocalServerElsewhereError extends MagpieError {
  constructor(readonly running: RunningLocalServer) {
    super(
      ErrorCode.LOCAL_SERVER_ELSEWHERE,
      `this user's local Magpie server already runs on ${running.host}:${running.port} (TLS ${running.tlsPort}` +
        `${running.httpPort ? `, HTTP ${running.httpPort}` : ''}${running.pid ? `, pid ${running.pid}` : ''}), not on the ports asked for`,
      { address: `${running.host}:${running.port}` },
    );
  }
}

/**
 * The host and ports are those asked for: left out, the server already running on this data folder
 * is reused wherever it runs (it may have been moved), else one is started on the defaults. Asked
 * for and differing from the running one's: LocalServerElsewhereError, never a second server.
 */
export interface LocalServerOptions {
  readonly serverBin: string;
  readonly dataDir: string;
  readonly host?: string;
  readonly port?: number;
  readonly tlsPort?: number;
  /** The HTTP port (files, REST, the developer console). */
  readonly httpPort?: number;
  readonly startTimeoutMs?: number;
}

export const DEFAULT_LOCAL_PORT = 8883;
export const DEFAULT_LOCAL_TLS_PORT = 8884;
export const DEFAULT_LOCAL_HTTP_PORT = 8885;
const LOCK_FILE = 'start.lock';
const LOG_FILE = 'server.log';

/**
 * One folder per user, the same for the desktop app and the browser version, so they share one
 * server and one set of demo accounts. MAGPIE_LOCAL_SERVER_DIR overrides it (tests).
 */
export function defaultLocalServerDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['MAGPIE_LOCAL_SERVER_DIR']) return env['MAGPIE_LOCAL_SERVER_DIR'];
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'Magpie', 'local-server');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Magpie Local Server');
  return join(env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'magpie', 'local-server');
}

const demoFileSchema = z.object({
  appId: z.string(),
  users: z.array(z.object({ friendlyName: z.string(), voipAccount: z.string(), voipPwd: z.string() })),
});

/** The demo credentials of a server's data folder, for the login screen. */
export function readDemo(dataDir: string, address: string): DemoInfo | undefined {
  try {
    const parsed = demoFileSchema.parse(JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')));
    return {
      servers: [address],
      appId: parsed.appId,
      users: parsed.users.map((u) => ({ name: u.friendlyName, user: u.voipAccount, password: u.voipPwd })),
    };
  } catch {
    return undefined;
  }
}

/** A host as an address writes it: an IPv6 one in brackets. */
function hostText(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function routeOf(host: string, port: number, tlsPort: number, certFile: string): LocalServerRoute {
  return { address: `${hostText(host)}:${port}`, tlsAddress: `tls://${hostText(host)}:${tlsPort}`, caFile: certFile };
}

/**
 * The route to this data folder's server whether it runs or not (where it last ran, else where it
 * would start): a login naming it stays pinned to its certificate while it is down, or while
 * another program holds its ports.
 */
export function localServerRoute(dataDir: string): LocalServerRoute | undefined {
  const record = readRecord(dataDir);
  try {
    return routeOf(record?.host ?? '127.0.0.1', record?.port ?? DEFAULT_LOCAL_PORT, record?.tlsPort ?? DEFAULT_LOCAL_TLS_PORT, ensureIdentity(dataDir).certFile);
  } catch {
    // its folder cannot be made (read-only home): no demo server could run there either
    return undefined;
  }
}

type Probe = 'ours' | 'stranger' | 'free';

async function probe(host: string, port: number, tlsPort: number, fingerprint: string): Promise<Probe> {
  const seen = await peerFingerprint(host, tlsPort);
  if (seen === fingerprint) return (await portAccepts(host, port)) ? 'ours' : 'stranger';
  if (seen !== undefined) return 'stranger';
  const [plain, tls] = await Promise.all([portAccepts(host, port), portAccepts(host, tlsPort)]);
  return plain || tls ? 'stranger' : 'free';
}

function strangerError(host: string, port: number, tlsPort: number): MagpieError {
  return new MagpieError(
    ErrorCode.LOCAL_SERVER_UNVERIFIED,
    `something else listens on ${host}:${port} or ${host}:${tlsPort}: it is not this user's local Magpie server ` +
      '(it could not prove the key recorded at its first start), so it is not used',
  );
}

/** Takes the start lock, or answers false while another live process holds it. */
function takeStartLock(dataDir: string, staleMs: number): boolean {
  const file = join(dataDir, LOCK_FILE);
  for (let tries = 0; tries < 2; tries += 1) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockAlive(file, staleMs)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

function lockAlive(file: string, staleMs: number): boolean {
  try {
    if (Date.now() - statSync(file).mtimeMs > staleMs) return false;
    return processAlive(Number(readFileSync(file, 'utf8')));
  } catch {
    return false;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The file the server writes in its data folder once it listens (server/cli/start-command.ts). */
const SERVER_PID_FILE = 'server.pid';

/** The pid the server last wrote in its pid file (it may since have ended), or undefined. */
function writtenPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(join(dataDir, SERVER_PID_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * The pid of the server running on this data folder: the one it wrote itself, when that process
 * is alive; else the one recorded at our own start, when alive; else undefined (never a dead pid).
 */
function runningPid(dataDir: string): number | undefined {
  for (const pid of [writtenPid(dataDir), readRecord(dataDir)?.pid]) {
    if (pid !== undefined && Number.isSafeInteger(pid) && pid > 0 && processAlive(pid)) return pid;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Which process answers once our start sees the server up: usually the child we started, but a
 * server started by hand on the same folder at the same moment may have won the ports, and our
 * child then exits (the port or the folder's lock taken). The server writes its pid file right
 * after it listens; wait for it to name our child, or for the child to end (then the pid file's
 * live process is the one answering), so the record never names a dead pid that a stop would signal.
 */
async function answeringPid(dataDir: string, childPid: number | undefined, childEnded: () => boolean, timeoutMs = 2_000): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (childEnded()) return runningPid(dataDir);
    if (writtenPid(dataDir) === childPid || Date.now() > deadline) return childPid;
    await sleep(20);
  }
}

export async function ensureLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { dataDir } = options;
  const identity = ensureIdentity(dataDir);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const reuse = (host: string, port: number, tlsPort: number, httpPort: number | undefined, reused: boolean): LocalServer => ({
    address: `${hostText(host)}:${port}`,
    route: routeOf(host, port, tlsPort, identity.certFile),
    demo: readDemo(dataDir, `${hostText(host)}:${port}`),
    pid: readRecord(dataDir)?.pid,
    reused,
    httpPort,
  });
  /** A running server proven ours: its record names the pid it wrote itself (it may have been restarted by hand). */
  const reuseRunning = (host: string, port: number, tlsPort: number, httpPort: number | undefined): LocalServer => {
    const pid = runningPid(dataDir);
    writeRecord(dataDir, { fingerprint256: identity.fingerprint256, host, port, tlsPort, ...(httpPort ? { httpPort } : {}), ...(pid ? { pid } : {}) });
    return reuse(host, port, tlsPort, httpPort, true);
  };

  /**
   * The recorded server, wherever it runs, when it runs and proves ours: one data folder has one
   * server (its data-folder lock refuses a second). Other ports asked for than its: refused.
   */
  const recorded = async (): Promise<LocalServer | undefined> => {
    const record = readRecord(dataDir);
    if (!record || (await probe(record.host, record.port, record.tlsPort, identity.fingerprint256)) !== 'ours') return undefined;
    const differs = <T>(asked: T | undefined, running: T | undefined) => asked !== undefined && running !== undefined && asked !== running;
    if (
      differs(options.host, record.host) ||
      differs(options.port, record.port) ||
      differs(options.tlsPort, record.tlsPort) ||
      differs(options.httpPort, record.httpPort)
    ) {
      throw new LocalServerElsewhereError({ host: record.host, port: record.port, tlsPort: record.tlsPort, httpPort: record.httpPort, pid: runningPid(dataDir) });
    }
    return reuseRunning(record.host, record.port, record.tlsPort, record.httpPort ?? options.httpPort);
  };
  const running = await recorded();
  if (running) return running;

  // not running: started again where it last ran (moved by flags once, it stays moved after a
  // `kill PID`), on the ports asked for where they are; the defaults only for a first start
  const last = readRecord(dataDir);
  const host = options.host ?? last?.host ?? '127.0.0.1';
  const port = options.port ?? last?.port ?? DEFAULT_LOCAL_PORT;
  const tlsPort = options.tlsPort ?? last?.tlsPort ?? DEFAULT_LOCAL_TLS_PORT;
  const httpPort = options.httpPort ?? last?.httpPort ?? DEFAULT_LOCAL_HTTP_PORT;
  const address = `${host}:${port}`;

  const found = await probe(host, port, tlsPort, identity.fingerprint256);
  // ours without a record of it (removed by hand): its HTTP port is not known
  if (found === 'ours') return reuseRunning(host, port, tlsPort, options.httpPort);
  if (found === 'stranger') throw strangerError(host, port, tlsPort);

  if (!takeStartLock(dataDir, timeoutMs)) {
    // another shell is starting it right now: wait for it rather than start a second one
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await sleep(100);
      // the other shell may be starting it on other ports: its record says which
      const started = await recorded();
      if (started) return started;
    }
    throw new MagpieError(ErrorCode.NOT_CONNECTED, `the local Magpie server did not start on ${address} in time`);
  }
  try {
    writeRecord(dataDir, { fingerprint256: identity.fingerprint256, host, port, tlsPort, httpPort });
    const logFile = join(dataDir, LOG_FILE);
    // the first start prints the demo's secrets, like demo.json: the log is the user's alone
    const log = openSync(logFile, 'a', 0o600);
    const child = spawn(
      process.execPath,
      [options.serverBin, 'start', '--demo', '--data', dataDir, '--host', host, '--port', String(port),
        '--tls-cert', identity.certFile, '--tls-key', identity.keyFile, '--tls-port', String(tlsPort), '--http-port', String(httpPort)],
      // detached with its own log: it outlives this window; inside Electron, execPath is the app: run it as Node
      { detached: true, stdio: ['ignore', log, log], windowsHide: true, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
    );
    closeSync(log);
    let exit: string | undefined;
    child.once('exit', (code, signal) => (exit = `exited (${signal ?? `code ${code}`})`));
    child.once('error', (error) => (exit = `could not start (${error.message})`));
    child.unref();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await probe(host, port, tlsPort, identity.fingerprint256)) === 'ours') break;
      if (exit) throw new MagpieError(ErrorCode.NOT_CONNECTED, `the local Magpie server ${exit}: ${tail(logFile)}`);
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new MagpieError(ErrorCode.NOT_CONNECTED, `the local Magpie server did not start on ${address} in time: ${tail(logFile)}`);
      }
      await sleep(100);
    }
    const pid = await answeringPid(dataDir, child.pid, () => exit !== undefined);
    writeRecord(dataDir, { fingerprint256: identity.fingerprint256, host, port, tlsPort, httpPort, ...(pid ? { pid } : {}) });
    return reuse(host, port, tlsPort, httpPort, false);
  } finally {
    rmSync(join(dataDir, LOCK_FILE), { force: true });
  }
}

/**
 * Stops the local server of this data folder, after checking that what runs there is it: the
 * recorded pid alone could by now belong to another process.
 */
export async function stopLocalServer(dataDir: string, timeoutMs = 10_000): Promise<boolean> {
  const record = readRecord(dataDir);
  if (!record?.pid) return false;
  const identity = ensureIdentity(dataDir);
  if ((await probe(record.host, record.port, record.tlsPort, identity.fingerprint256)) !== 'ours') return false;
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (processAlive(record.pid)) {
    if (Date.now() > deadline) throw new Error(`the local Magpie server (pid ${record.pid}) did not stop`);
    await sleep(100);
  }
  return true;
}
