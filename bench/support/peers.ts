/**
 * The peers a user would pick instead of Magpie, started and stopped by the benchmarks on loopback
 * ports of their own: ejabberd and prosody (XMPP) and mosquitto (MQTT), all from Debian packages.
 * Each start function resolves undefined when the peer is not installed, so a bench prints
 * "peer not installed" instead of failing.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from './stats';

const run = promisify(execFile);

export interface Peer {
  readonly name: string;
  readonly version: string;
  readonly port: number;
  /** The XMPP domain of the users (XMPP peers only). */
  readonly domain: string;
  stop(): Promise<void>;
}

export const NOT_INSTALLED = 'peer not installed';

/** The Debian package version, or undefined when the package is not installed. */
export function installedVersion(pkg: string): string | undefined {
  const result = spawnSync('dpkg-query', ['-W', '-f', '${Status} ${Version}', pkg], { encoding: 'utf8' });
  if (result.status !== 0 || !result.stdout.startsWith('install ok installed')) return undefined;
  return result.stdout.split(' ').pop();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (child && child.exitCode !== null) throw new Error(`the peer exited with code ${String(child.exitCode)} before listening`);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface EjabberdOptions {
  /**
   * Archive every message as it passes (mod_mam, default: always) in SQLite with ejabberd's own
   * schema, as Magpie stores every one. Needs Debian's erlang-p1-sqlite3 besides ejabberd.
   */
  readonly archive?: boolean;
  /** Offer XEP-0198 stream management (mod_stream_mgmt): acks of stanzas both ways. */
  readonly streamManagement?: boolean;
}

/** ejabberd's SQLite schema, as Debian installs it. */
const EJABBERD_SQLITE_SCHEMA = '/usr/share/ejabberd/sql/lite.sql';

/** ejabberd with plain c2s on its own port, no shaper, no TLS; users registered with ejabberdctl. */
export async function startEjabberd(users: readonly string[], password: string, options: EjabberdOptions = {}): Promise<Peer | undefined> {
  const version = installedVersion('ejabberd');
  if (version === undefined || !existsSync('/usr/sbin/ejabberdctl')) return undefined;
  if (options.archive && (installedVersion('erlang-p1-sqlite3') === undefined || !existsSync(EJABBERD_SQLITE_SCHEMA))) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-ejabberd-'));
  const archiveFile = join(dir, 'archive.db');
  if (options.archive) {
    const db = new BetterSqlite3(archiveFile);
    db.pragma('journal_mode = WAL');
    db.exec(readFileSync(EJABBERD_SQLITE_SCHEMA, 'utf8'));
    db.close();
  }
  const port = await freePort();
  const node = `benchejd${port}@localhost`;
  writeFileSync(
    join(dir, 'ejabberd.yml'),
    [
      'loglevel: warning',
      'hosts:',
      '  - localhost',
      'listen:',
      '  -',
      `    port: ${port}`,
      '    ip: "127.0.0.1"',
      '    module: ejabberd_c2s',
      '    backlog: 4096',
      '    max_stanza_size: 262144',
      'auth_method: internal',
      'auth_password_format: plain',
      ...(options.archive ? ['sql_type: sqlite', `sql_database: "${archiveFile}"`] : []),
      'acl:',
      '  local:',
      '    user_regexp: ""',
      'access_rules:',
      '  c2s:',
      '    allow: all',
      '  local:',
      '    allow: local',
      'modules:',
      '  mod_roster: {}',
      '  mod_disco: {}',
      '  mod_ping: {}',
      '  mod_offline: {}',
      ...(options.archive ? ['  mod_mam:', '    db_type: sql', '    default: always'] : []),
      ...(options.streamManagement ? ['  mod_stream_mgmt: {}'] : []),
      '',
    ].join('\n'),
  );
  if (existsSync('/etc/ejabberd/inetrc')) copyFileSync('/etc/ejabberd/inetrc', join(dir, 'inetrc'));
  chmodSync(dir, 0o755);
  for (const file of ['', 'ejabberd.yml', 'inetrc', 'archive.db']) if (existsSync(join(dir, file))) chownUser(join(dir, file), 'ejabberd');
  const ctl = ['--config-dir', dir, '--config', join(dir, 'ejabberd.yml'), '--spool', dir, '--logs', dir, '--node', node];
  const child = spawn('ejabberdctl', [...ctl, 'foreground-quiet'], { cwd: dir, stdio: 'ignore', detached: true });
  try {
    await waitForPort(port, 60_000, child);
    await run('ejabberdctl', [...ctl, 'started'], { cwd: dir });
    for (const user of users) await run('ejabberdctl', [...ctl, 'register', user, 'localhost', password], { cwd: dir });
  } catch (error) {
    killGroup(child);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    throw error;
  }
  return {
    name: 'ejabberd',
    version,
    port,
    domain: 'localhost',
    async stop() {
      await run('ejabberdctl', [...ctl, 'stop'], { cwd: dir }).catch(() => undefined);
      await waitExit(child, 15_000);
      killGroup(child);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** prosody with plain c2s on its own port, internal_plain auth, no TLS, no rate limits. */
export async function startProsody(users: readonly string[], password: string): Promise<Peer | undefined> {
  const version = installedVersion('prosody');
  if (version === undefined || !existsSync('/usr/bin/prosody')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-prosody-'));
  const port = await freePort();
  const config = join(dir, 'prosody.cfg.lua');
  writeFileSync(
    config,
    [
      'run_as_root = true',
      'daemonize = false',
      `pidfile = "${dir}/prosody.pid"`,
      `data_path = "${dir}"`,
      `certificates = "${dir}"`,
      `log = { error = "${dir}/prosody.err" }`,
      'interfaces = { "127.0.0.1" }',
      `c2s_ports = { ${port} }`,
      's2s_ports = { }',
      'http_ports = { }',
      'https_ports = { }',
      'c2s_require_encryption = false',
      'allow_unencrypted_plain_auth = true',
      'authentication = "internal_plain"',
      'modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "offline"; }',
      'modules_disabled = { "s2s"; }',
      'VirtualHost "localhost"',
      '',
    ].join('\n'),
  );
  for (const user of users) await run('prosodyctl', ['--config', config, 'register', user, 'localhost', password]);
  const child = spawn('prosody', ['--config', config], { cwd: dir, stdio: 'ignore' });
  try {
    await waitForPort(port, 30_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    throw error;
  }
  return {
    name: 'prosody',
    version,
    port,
    domain: 'localhost',
    async stop() {
      child.kill('SIGTERM');
      await waitExit(child, 10_000);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** mosquitto on its own port and config (the system one may already hold 1883), anonymous, no persistence file. */
export async function startMosquitto(): Promise<Peer | undefined> {
  const version = installedVersion('mosquitto');
  if (version === undefined || !existsSync('/usr/sbin/mosquitto')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none', 'max_queued_messages 100000', ''].join('\n'));
  const child = spawn('/usr/sbin/mosquitto', ['-c', config], { cwd: dir, stdio: 'ignore' });
  try {
    await waitForPort(port, 10_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    throw error;
  }
  return {
    name: 'mosquitto',
    version,
    port,
    domain: '',
    async stop() {
      child.kill('SIGTERM');
      await waitExit(child, 10_000);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** Stops the whole process group this bench started (ejabberdctl runs beam under su). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function chownUser(path: string, user: string): void {
  const id = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (id.status === 0 && gid.status === 0) chownSync(path, Number(id.stdout.trim()), Number(gid.stdout.trim()));
}
