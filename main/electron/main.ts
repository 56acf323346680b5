/**
 * The Electron shell: lifecycle, the window, the tray, and the IPC bridge to the core. Thin on
 * purpose: every decision lives in plain-Node modules that are tested without Electron.
 */
import { app, BrowserWindow, ipcMain, Menu, nativeImage, powerMonitor, session, shell, Tray } from 'electron';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { ApiErrorCode, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type EventName, type EventPayloads } from '../../preload/api';
import { createDispatch } from '../api/dispatch';
import { MagpieCore } from '../core/magpie-core';
import { defaultLocalServerDir, ensureLocalServer, localServerRoute, type LocalServer } from '../local-server/local-server';
import { createDesktopNotifier } from '../notifications/desktop-notifier';
import { createKeyFileSecretBox } from '../settings/secret-box';
import { loadSettings } from '../settings/settings-file';
import { UnreadBadge } from '../shell/unread-badge';
import { allowsPermission, contentSecurityPolicy, isSafeExternalUrl, secureWebPreferences } from '../shell/window-policy';
import { createElectronFiles } from './electron-files';
import { createSafeStorageBox } from './safe-storage-box';

export interface DesktopAppDeps {
  /** The app's own folder (the built icon, the server binary). */
  readonly appRoot: string;
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The desktop app: everything the shell holds (the window, the tray, the core, the unread badge)
 * lives in this closure rather than in module state, so the order things come up in is explicit.
 */
export function createDesktopApp(deps: DesktopAppDeps): { run(): void } {
  const { appRoot, log, env } = deps;
  const iconPath = join(appRoot, 'build/icon.png');
  let window: BrowserWindow | undefined;
  let tray: Tray | undefined;
  let core: MagpieCore | undefined;
  const badge = new UnreadBadge();

  function emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    if (event === 'conversation.updated') showUnread(badge.update((payload as EventPayloads['conversation.updated']).conversation));
    if (event === 'session.ended') {
      badge.clear();
      showUnread(0);
    }
    if (event === 'notification.open') showWindow();
    window?.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  }

  function showUnread(total: number): void {
    app.setBadgeCount(total);
    tray?.setToolTip(badge.label(app.getLocale().startsWith('zh') ? 'zh-CN' : 'en'));
  }

  function showWindow(): void {
    if (!window) window = createWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  function createWindow(): BrowserWindow {
    const win = new BrowserWindow({
      width: 1100,
      height: 720,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'Magpie',
      icon: iconPath,
      webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
    });
    win.once('ready-to-show', () => {
      win.show();
      // bin/desktop-launch.js (npm start) waits for this line to know the app opened here
      process.stdout.write('MAGPIE_WINDOW_READY\n');
    });
    // navigation and new windows are denied; safe links open in the system browser
    win.webContents.on('will-navigate', (event) => event.preventDefault());
    win.webContents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    win.on('closed', () => {
      window = undefined;
    });
    // the dev server's page only in development: a packaged app loads nothing but its own files
    const devUrl = app.isPackaged ? undefined : env['ELECTRON_RENDERER_URL'];
    if (devUrl) void win.loadURL(devUrl);
    else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
    return win;
  }

  function createTray(): Tray {
    const icon = nativeImage.createFromPath(iconPath).resize({ width: 16, height: 16 });
    const t = new Tray(icon);
    t.setToolTip('Magpie');
    t.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open Magpie', click: () => showWindow() },
        { type: 'separator' },
        { label: 'Quit', click: () => app.quit() },
      ]),
    );
    t.on('click', () => showWindow());
    return t;
  }

  async function startCore(): Promise<MagpieCore> {
    const profileDir = join(app.getPath('userData'), 'profile');
    const settings = loadSettings(join(profileDir, 'settings.json'));
    // first run with no server of one's own: a local server with demo accounts, so the app works at once
    const onlyDefault = settings.servers.length === 1 && settings.servers[0] === '127.0.0.1:8883';
    let localServer: LocalServer | undefined;
    if (onlyDefault && !env['MAGPIE_NO_LOCAL_SERVER']) {
      try {
        // its own process and folder, shared with the browser version: it outlives this window
        localServer = await ensureLocalServer({ serverBin: join(appRoot, 'bin/magpie-server.js'), dataDir: defaultLocalServerDir() });
      } catch (error) {
        log.warn({ err: error }, 'no local server');
      }
    }
    // a login naming the demo server is pinned to its certificate, up or down (local-route.ts)
    const localRoute = localServer?.route ?? (onlyDefault && !env['MAGPIE_NO_LOCAL_SERVER'] ? localServerRoute(defaultLocalServerDir()) : undefined);
    return new MagpieCore({
      profileDir,
      shell: 'electron',
      version: app.getVersion(),
      secretBox: createSafeStorageBox() ?? createKeyFileSecretBox(join(profileDir, 'secret.key')),
      notifier: createDesktopNotifier({ iconPath, onError: (error) => log.debug({ err: error }, 'notifier') }),
      emit,
      log,
      systemLanguage: app.getLocale(),
      desktopFiles: createElectronFiles(() => window),
      ...(localServer?.demo ? { demo: localServer.demo } : {}),
      ...(localRoute ? { localServer: localRoute } : {}),
    });
  }

  function installIpc(magpie: MagpieCore): void {
    const dispatch = createDispatch(magpie.handlers, (error) => log.error({ err: error }, 'unexpected error in a call'));
    // the one channel the preload uses; only our own window may call it
    ipcMain.handle(IPC_INVOKE_CHANNEL, (event, method: unknown, args: unknown) => {
      if (!window || event.sender !== window.webContents) return { ok: false, error: { code: ApiErrorCode.UNKNOWN_SENDER, message: 'unknown sender' } };
      return dispatch(method, args);
    });
  }

  function run(): void {
    // one instance per profile: the lock lives in the profile's own folder
    if (env['MAGPIE_PROFILE']) app.setPath('userData', env['MAGPIE_PROFILE']);

    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return;
    }
    app.on('second-instance', () => showWindow());
    app.on('web-contents-created', (_event, contents) => {
      contents.on('will-attach-webview', (event) => event.preventDefault());
    });
    void app.whenReady().then(async () => {
      session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
        callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } });
      });
      // the microphone for voice messages, asked by our own window's main frame; nothing else
      const ownMainFrame = (contents: Electron.WebContents | null, isMainFrame: boolean) => isMainFrame && contents !== null && contents === window?.webContents;
      session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
        const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
        callback(allowsPermission({ permission, ...(mediaTypes ? { mediaTypes } : {}), fromOwnWindow: ownMainFrame(contents, details.isMainFrame) }));
      });
      session.defaultSession.setPermissionCheckHandler((contents, permission, _origin, details) =>
        allowsPermission({ permission, ...(details.mediaType ? { mediaTypes: [details.mediaType] } : {}), fromOwnWindow: ownMainFrame(contents, details.isMainFrame) }),
      );
      const started = await startCore();
      core = started;
      installIpc(started);
      tray = createTray();
      window = createWindow();
      window.on('focus', () => window?.webContents.send(IPC_EVENT_CHANNEL, 'window.focus', { focused: true }));
      powerMonitor.on('resume', () => started.networkUp());
      powerMonitor.on('unlock-screen', () => started.networkUp());
      app.on('activate', () => showWindow());
    });
    app.on('window-all-closed', () => {
      // the tray keeps Magpie running, as messengers do; quit from the tray menu
    });
    app.on('before-quit', () => {
      void core?.shutdown();
    });
  }

  return { run };
}

function main(): void {
  // as the web shell: warnings and errors on the terminal unless MAGPIE_LOG_LEVEL asks for more
  const log = pino({ level: process.env['MAGPIE_LOG_LEVEL'] ?? 'warn' });
  createDesktopApp({ appRoot: join(import.meta.dirname, '../..'), log, env: process.env }).run();
}

main();
