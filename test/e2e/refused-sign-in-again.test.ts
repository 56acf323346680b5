/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, signIn, startWebApp, tearDown, WAIT, type User, type WebApp } from './support/web-app';

declare global {
  interface Window {
    /** Set once the page has drawn a chat list (the init script below watches for it). */
    sawChats?: boolean;
  }
}

/**
 * A remembered sign-in the server refused is asked again when the page loads (a reload, a
 * restart): a refusal lifted meanwhile (the app back online) signs in without Retry now, and a
 * refusal again shows the form and why, never the chats of the refused session first.
 */
describe('a refused remembered sign-in, at a reload and a restart', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let alice: User;

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-refused-again-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    browser = await launchChromium();
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  async function startApp(): Promise<WebApp> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'profile') });
    apps.push(app);
    return app;
  }

  /** A page that notes whether it ever drew the chat list, from its first paint, at each load. */
  async function watchedPage(url: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'en-US' });
    await context.addInitScript(() => {
      window.sawChats = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="conversation-list"]')) window.sawChats = true;
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(url);
    return page;
  }

  it('a restart refused: the form and why, no chats first; the app back online, a reload signs in', async () => {
    const first = await startApp();
    const signedIn = await openPage(browser, first.url);
    await signIn(signedIn, server, alice);
    await signedIn.close();
    await first.stop();

    server.server.access.setAppState(server.appId, 'offline', 'the app was taken offline');
    const app = await startApp();
    const page = await watchedPage(app.url);
    const refused = page.locator('[data-testid="connection-banner"][data-state="refused"]');
    await refused.waitFor(WAIT);
    expect(await refused.innerText()).toContain('This app is offline (code 520003)');
    expect(await page.getByTestId('login-user').inputValue()).toBe(alice.voipAccount);
    // the refused session's chats were never drawn, not even for a moment
    expect(await page.evaluate(() => window.sawChats)).toBe(false);

    // refused again at a reload: the same form, still no chats on the way
    await page.reload();
    await refused.waitFor(WAIT);
    expect(await page.evaluate(() => window.sawChats)).toBe(false);

    // the app back online: a reload tries the remembered sign-in again, no Retry now pressed
    server.server.access.setAppState(server.appId, 'online');
    await page.reload();
    await page.getByTestId('conversation-list').waitFor(WAIT);
    expect(await page.getByTestId('connection-banner').count()).toBe(0);
  }, 120_000);
});
