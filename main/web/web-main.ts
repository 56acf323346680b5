/**
 * `npm run web`: the Magpie UI in a browser, served with the same core and contract as the
 * desktop app. With no --server it starts (or reuses) a local Magpie server with demo accounts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { EventName, EventPayloads } from '../../preload/api';
import { createDispatch } from '../api/dispatch';
import { MagpieCore } from '../core/magpie-core';
import { defaultLocalServerDir, ensureLocalServer, LocalServerElsewhereError, localServerRoute, type LocalServer } from '../local-server/local-server';
import { createDesktopNotifier, createFileNotifier } from '../notifications/desktop-notifier';
import { createKeyFileSecretBox } from '../settings/secret-box';
import { defaultProfileDir } from '../shell/profile-dir';
import { lockProfile } from '../shell/profile-lock';
import { askedPorts, elsewhereLine, isAddressInUse, portIsFree, portTakenLine, resolveWebPorts, takenDemoPort, type WebPorts } from './web-ports';
import { createWebShell, type WebShell } from './web-shell';

const root = resolve(import.meta.dirname, '../..');

const USAGE = `usage: npm run web -- [--port N] [--demo-port N] [--demo-tls-port N] [--demo-http-port N]
                      [--profile DIR] [--server HOST:PORT] [--no-local-server]

  --port N             serve the UI on 127.0.0.1:N (default: a free port; or $MAGPIE_WEB_PORT)
  --demo-port N        the local demo server's client port (default 8883; or $MAGPIE_DEMO_PORT)
  --demo-tls-port N    its TLS port (default 8884; or $MAGPIE_DEMO_TLS_PORT)
  --demo-http-port N   its HTTP port: files, REST, the console (default 8885; or $MAGPIE_DEMO_HTTP_PORT)
  --profile DIR        the profile folder (default: the per-user config folder, or $MAGPIE_PROFILE)
  --server H:P         do not start a local server; the login screen proposes this address
  --no-local-server    start no local server
Set MAGPIE_NOTIFY_FILE=F to write notifications to F as JSON lines instead of the desktop.`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        'demo-port': { type: 'string' },
        'demo-tls-port': { type: 'string' },
        'demo-http-port': { type: 'string' },
        profile: { type: 'string' },
        server: { type: 'string' },
        'no-local-server': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let ports: WebPorts;
  const portFlags = { page: args.port, demo: args['demo-port'], demoTls: args['demo-tls-port'], demoHttp: args['demo-http-port'] };
  const asked = askedPorts(portFlags, process.env);
  try {
    ports = resolveWebPorts(portFlags, process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const rendererDir = join(root, 'out/renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    process.stderr.write('The UI is not built: run `npm run build` (npm run web does it for you).\n');
    return 1;
  }
  const profileDir = resolve(args.profile ?? defaultProfileDir());
  const wantsDemo = !args.server && !args['no-local-server'];
  const locked = lockProfile(profileDir);
  if (!locked.ok) {
    // the demo server that page uses may have been stopped (kill PID): starting Magpie again brings
    // it back, and the page open there reconnects to it by itself
    const demo = wantsDemo ? await demoServer(ports, asked) : undefined;
    if (demo && !demo.reused) {
      process.stderr.write(`Started the local demo server again on ${demo.address}${demo.pid ? ` (pid ${demo.pid})` : ''}.\n`);
    }
    const where = locked.holder.url ? `Open it there:\n\n  ${locked.holder.url}\n\n` : '';
    process.stderr.write(
      `This profile (${profileDir}) is already open in another Magpie (process ${locked.holder.pid}). ${where}` +
        'To run a second one side by side, give it its own --profile folder.\n',
    );
    return 3;
  }
  const profileLock = locked.lock;
  // the terminal shows the friendly lines; the log (JSON) only when something goes wrong, or when
  // MAGPIE_LOG_LEVEL asks for more
  const log = pino({ level: process.env['MAGPIE_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));

  // a taken page port is said before a demo server is started for a page that cannot open
  if (ports.page !== 0 && !(await portIsFree('127.0.0.1', ports.page))) {
    process.stderr.write(`${portTakenLine('page', ports.page)}\n`);
    profileLock.release();
    return 1;
  }

  let localServer: LocalServer | undefined;
  if (wantsDemo) {
    localServer = await demoServer(ports, asked);
    // serverPid: pino's own "pid" is this shell's, and a line with the key twice reads as either
    if (localServer) log.info({ address: localServer.address, serverPid: localServer.pid, reused: localServer.reused }, 'local Magpie server ready');
  }

  // a login naming the demo server is pinned to its certificate, up or down (local-route.ts)
  const localRoute = localServer?.route ?? (wantsDemo ? localServerRoute(defaultLocalServerDir()) : undefined);
  // the core is built before the shell that carries its events: they meet through this holder
  const page: { shell?: WebShell } = {};
  const emit = <E extends EventName>(event: E, payload: EventPayloads[E]) => page.shell?.emit(event, payload);
  const notifyFile = process.env['MAGPIE_NOTIFY_FILE'];
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const core = new MagpieCore({
    profileDir,
    shell: 'web',
    version,
    secretBox: createKeyFileSecretBox(join(profileDir, 'secret.key')),
    notifier: notifyFile ? createFileNotifier(notifyFile) : createDesktopNotifier({ onError: (e) => log.debug({ err: e }, 'notifier') }),
    emit,
    log,
    systemLanguage: Intl.DateTimeFormat().resolvedOptions().locale,
    ...(localServer?.demo ? { demo: localServer.demo } : args.server ? { demo: { servers: [args.server], appId: '', users: [] } } : {}),
    ...(localRoute ? { localServer: localRoute } : {}),
  });
  const shell = createWebShell({
    rendererDir,
    port: ports.page,
    dispatch: createDispatch(core.handlers, (error) => log.error({ err: error }, 'unexpected error in a call')),
    onError: (error) => log.error({ err: error }, 'web shell error'),
  });
  page.shell = shell;
  let url: string;
  try {
    ({ url } = await shell.start());
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    process.stderr.write(`${portTakenLine('page', ports.page)}\n`);
    await core.shutdown();
    profileLock.release();
    return 1;
  }
  profileLock.setUrl(url);
  process.stdout.write(`Magpie is running. Open this address in your browser:\n\n  ${url}\n\n(Ctrl+C stops it.)\n`);
  if (localServer?.demo) {
    const users = localServer.demo.users.map((u) => `${u.user} / ${u.password}`).join(', ');
    process.stdout.write(`Demo server ${localServer.address}, app ${localServer.demo.appId}; users: ${users}\n`);
    const stopWith = localServer.pid ? `; stop it with: kill ${localServer.pid}` : '';
    process.stdout.write(`It runs on its own (${localServer.pid ? `pid ${localServer.pid}, ` : ''}data in ${defaultLocalServerDir()})${stopWith}\n`);
    // the running server's own HTTP port, as recorded at its start: not this run's flags
    if (localServer.httpPort) {
      const host = localServer.address.slice(0, localServer.address.lastIndexOf(':'));
      process.stdout.write(
        `Developer console: http://${host}:${localServer.httpPort}/console (its ACCOUNT SID and AUTH TOKEN are in ${join(defaultLocalServerDir(), 'demo.json')})\n`,
      );
    }
  }

  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  // a second Ctrl+C does not wait: the lock stays, and the next start takes it over (its pid is gone)
  process.once('SIGINT', () => process.exit(130));
  await withDeadline(shell.stop(), SHELL_STOP_MS).catch((error: unknown) => log.warn({ err: error }, 'the page server did not stop cleanly'));
  const storeClosed = await core.shutdown();
  // released only once the store is closed: a second shell may open it from then on
  if (storeClosed) profileLock.release();
  else log.warn('the store was still open at exit; the next start takes the profile over');
  return 0;
}

/**
 * The local demo server, started or reused: its own process and folder, shared with the desktop
 * app, it keeps running after Ctrl+C. Only the ports asked for are passed: with none, the running
 * server is reused wherever it runs, and a stopped one starts again where it last ran. When it
 * cannot be had, says why in one line and answers undefined.
 */
async function demoServer(ports: WebPorts, asked: ReturnType<typeof askedPorts>): Promise<LocalServer | undefined> {
  try {
    return await ensureLocalServer({
      serverBin: join(root, 'bin/magpie-server.js'),
      dataDir: defaultLocalServerDir(),
      ...(asked.demo ? { port: ports.demo } : {}),
      ...(asked.demoTls ? { tlsPort: ports.demoTls } : {}),
      ...(asked.demoHttp ? { httpPort: ports.demoHttp } : {}),
    });
  } catch (error) {
    if (error instanceof LocalServerElsewhereError) {
      process.stderr.write(`No local demo server on the ports asked for: ${elsewhereLine(error.running)}\n`);
    } else {
      // a taken port is the usual cause: said in one line, not the server's log with its stack
      const taken = await takenDemoPort(ports);
      const why = taken ? portTakenLine(taken, ports[taken]) : (error as Error).message;
      process.stderr.write(`No local demo server: ${why}\n`);
    }
    return undefined;
  }
}

/** How long the page server is given to close its connections at exit. */
const SHELL_STOP_MS = 2_000;

function withDeadline(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

// exits once done, whatever is left running (a store's worker let go, an open socket): Ctrl+C stops it
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`magpie web: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
