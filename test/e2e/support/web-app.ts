import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { runSource } from '../../support/run-source';

export const repoRoot = resolve(import.meta.dirname, '../../..');

/** The UI is tested as built; a fresh clone builds it once here. */
export function ensureRendererBuilt(): void {
  if (existsSync(join(repoRoot, 'out/renderer/index.html'))) return;
  const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('electron-vite build failed');
}

export interface WebApp {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The local demo server `npm run web` starts when it is given no server: its own data folder and
 * ports (free ones the test picked), so it never meets a developer's own demo server. The test
 * stops it with stopLocalServer(dataDir).
 */
export interface DemoServerOptions {
  readonly dataDir: string;
  readonly ports: { readonly client: number; readonly tls: number; readonly http: number };
}

/** Starts `npm run web`'s program (without the build step) for one profile against a server, or with a local demo server. */
export function startWebApp(options: { server: string; profileDir: string; notifyFile?: string; language?: string } | { demo: DemoServerOptions; profileDir: string; notifyFile?: string; language?: string }): Promise<WebApp> {
  const where = 'demo' in options
    ? ['--demo-port', String(options.demo.ports.client), '--demo-tls-port', String(options.demo.ports.tls), '--demo-http-port', String(options.demo.ports.http)]
    : ['--server', options.server];
  const child = spawn(
    process.execPath,
    [...runSource(join(repoRoot, 'main/web/web-main.ts')), ...where, '--profile', options.profileDir],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        MAGPIE_LOG_LEVEL: 'warn',
        ...('demo' in options ? { MAGPIE_LOCAL_SERVER_DIR: options.demo.dataDir } : {}),
        ...(options.notifyFile ? { MAGPIE_NOTIFY_FILE: options.notifyFile } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise<WebApp>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the web shell did not start:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolvePromise({
        url: match[0],
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web shell exited with ${code}:\n${output}`));
    });
  });
}

/** Debian's Chromium, headless, with no traffic of its own. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
}

/** How long a step of the UI may take under a loaded machine. */
export const WAIT = { timeout: 15_000 };

/** A sub-account's sign-in: its communication account and password. */
export interface User {
  readonly voipAccount: string;
  readonly voipPwd: string;
}

/** Fills the sign-in form for user against the server (its TCP port and app) and waits for the chat list. */
export async function signIn(page: Page, server: { readonly port: number; readonly appId: string }, user: User): Promise<void> {
  await page.getByTestId('login-form').waitFor(WAIT);
  await page.getByTestId('login-servers').fill(`127.0.0.1:${server.port}`);
  await page.getByTestId('login-app-id').fill(server.appId);
  await page.getByTestId('login-user').fill(user.voipAccount);
  await page.getByTestId('login-secret').fill(user.voipPwd);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('conversation-list').waitFor(WAIT);
}

/** Opens the chat with a user or group: its row when listed, else a new chat. */
export async function openChatWith(page: Page, id: string): Promise<void> {
  const item = page.locator(`[data-testid="conversation-item"][data-conversation="${id}"]`);
  if ((await item.count()) > 0) {
    await item.click();
    return;
  }
  await page.getByTestId('new-chat').click();
  await page.getByTestId('new-chat-user').fill(id);
  await page.getByTestId('new-chat-start').click();
  await page.getByTestId('composer-input').waitFor(WAIT);
}

/** Types a text in the open chat's composer and sends it with Enter. */
export async function sendText(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
}

/**
 * A fresh browser context (1200×760, en-US unless overridden) on the app's URL. An uncaught error
 * in the page fails the test unless pageErrors is 'ignore'.
 */
export async function openPage(browser: Browser, url: string, options: BrowserContextOptions & { pageErrors?: 'throw' | 'ignore' } = {}): Promise<Page> {
  const { pageErrors = 'throw', ...contextOptions } = options;
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'en-US', ...contextOptions });
  const page = await context.newPage();
  if (pageErrors === 'throw') {
    page.on('pageerror', (error) => {
      throw error;
    });
  }
  await page.goto(url);
  return page;
}

/** After a file's tests: the browser, the web shells, the server, then the work folder. */
export async function tearDown(parts: { browser?: Browser; apps: readonly WebApp[]; server?: { stop(): Promise<unknown> }; work?: string }): Promise<void> {
  await parts.browser?.close();
  await Promise.all(parts.apps.map((app) => app.stop()));
  await parts.server?.stop();
  if (parts.work) await rm(parts.work, { recursive: true, force: true, maxRetries: 5 });
}
