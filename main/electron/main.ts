/**
 * The Electron shell: lifecycle, the window, and the IPC bridge to the core. Thin on purpose:
 * every decision lives in plain-Node modules tested without Electron.
 */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { join } from 'node:path';
import { contentSecurityPolicy, isSafeExternalUrl, secureWebPreferences } from '../shell/window-policy';
import { IPC_INVOKE_CHANNEL } from '../../preload/api';
import { createDispatch } from '../api/dispatch';

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Magpie',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  });
  window.once('ready-to-show', () => window.show());
  // navigation and new windows are denied; safe links open in the system browser
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl) void window.loadURL(devUrl);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return window;
}

function installIpc(): void {
  const dispatch = createDispatch(
    { 'app.info': () => ({ name: 'Magpie', version: app.getVersion(), shell: 'electron' }) },
    (error) => process.stderr.write(`magpie: unexpected error: ${String(error)}\n`),
  );
  ipcMain.handle(IPC_INVOKE_CHANNEL, (_event, method: unknown, args: unknown) => dispatch(method, args));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] },
      });
    });
    installIpc();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
