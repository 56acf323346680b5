/// <reference lib="dom" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, type User, signIn, openChatWith, sendText, openPage } from './support/web-app';

/**
 * What the app tells its user must be true: read means seen, a burn-after-reading message is
 * read once, typed text is never thrown away, a refusal says why, and a second window on one
 * profile is refused rather than silently half-alive. The real UI in Chromium, two users.
 */

describe('the app tells the truth', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps = new Map<string, WebApp>();
  let alice: User;
  let bob: User;
  let pageA: Page;
  let pageB: Page;

  async function openApp(name: string): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, name) });
    apps.set(name, app);
    const page = await openPage(browser, app.url);
    return page;
  }


  /** The page's visibility as the app sees it (a headless page is always "visible" otherwise). */
  async function setVisible(page: Page, visible: boolean): Promise<void> {
    await page.evaluate((v) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (v ? 'visible' : 'hidden') });
      document.dispatchEvent(new Event('visibilitychange'));
    }, visible);
  }


  const composer = (page: Page) => page.getByRole('combobox', { name: 'Message' });


  const bubble = (page: Page, text: string) => page.getByTestId('message-bubble').filter({ hasText: text });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-honesty-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    bob = server.createUser('bob');
    browser = await launchChromium();
    pageA = await openApp('alice');
    pageB = await openApp('bob');
    await signIn(pageA, server, alice);
    await signIn(pageB, server, bob);
    await openChatWith(pageA, bob.voipAccount);
    await sendText(pageA, 'first hello');
    const fromAlice = pageB.locator(`[data-testid="conversation-item"][data-conversation="${alice.voipAccount}"]`);
    await fromAlice.click(WAIT);
    await pageA.locator('[data-testid="message-bubble"][data-state="read"]').filter({ hasText: 'first hello' }).waitFor(WAIT);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([...apps.values()].map((app) => app.stop()));
    await server?.stop();
    await rm(work, { recursive: true, force: true, maxRetries: 5 });
  });

  it('a message turns read only while its conversation is on screen: not behind Settings, not in a hidden window', async () => {
    await pageB.getByTestId('nav-settings').click();
    await sendText(pageA, 'sent while you are in Settings');
    await expect.poll(() => bubble(pageA, 'sent while you are in Settings').getAttribute('data-state'), WAIT).toBe('sent');
    await pause(1_500);
    expect(await bubble(pageA, 'sent while you are in Settings').getAttribute('data-state')).toBe('sent');
    await pageB.getByTestId('nav-chats').click();
    await expect.poll(() => bubble(pageA, 'sent while you are in Settings').getAttribute('data-state'), WAIT).toBe('read');

    await setVisible(pageB, false);
    await sendText(pageA, 'sent while your window is hidden');
    await expect.poll(() => bubble(pageA, 'sent while your window is hidden').getAttribute('data-state'), WAIT).toBe('sent');
    await pause(1_500);
    expect(await bubble(pageA, 'sent while your window is hidden').getAttribute('data-state')).toBe('sent');
    await setVisible(pageB, true);
    await expect.poll(() => bubble(pageA, 'sent while your window is hidden').getAttribute('data-state'), WAIT).toBe('read');
  });

  it('a burn-after-reading message stays covered until opened, shows nowhere else, then burns on both sides after a countdown', async () => {
    const burnToggle = pageA.getByRole('button', { name: 'Burn after reading' });
    await burnToggle.click();
    await sendText(pageA, 'the vault code is 4711');
    await burnToggle.click();
    const covered = pageB.getByRole('button', { name: 'Burn after reading: click to view' });
    await covered.waitFor(WAIT);
    // open chat, visible window: still covered, not burned, and its text nowhere on the page
    await pause(1_500);
    expect(await covered.count()).toBe(1);
    expect(await pageB.locator('body').innerText()).not.toContain('4711');
    expect(await bubble(pageA, 'the vault code is 4711').getAttribute('data-state')).toBe('sent');

    await covered.click();
    await bubble(pageB, 'the vault code is 4711').waitFor(WAIT);
    await pageB.getByRole('timer').waitFor(WAIT);
    await pageB.getByText('This message was burned after reading').waitFor({ timeout: 20_000 });
    await pageA.getByText('This message was burned after reading').waitFor(WAIT);
    expect(await pageB.locator('body').innerText()).not.toContain('4711');
  }, 40_000);

  it('a text over the limit is counted and held back with the reason; the typed text stays', async () => {
    const long = 'x'.repeat(5_003);
    await composer(pageA).fill(long);
    await expect.poll(() => pageA.getByTestId('composer-counter').textContent(), WAIT).toBe('5003 / 5000');
    expect(await pageA.getByTestId('composer-send').isDisabled()).toBe(true);
    await composer(pageA).press('Enter');
    await expect.poll(() => pageA.getByRole('alert').filter({ hasText: 'over the limit' }).count(), WAIT).toBe(1);
    expect(await composer(pageA).inputValue()).toBe(long);
    await composer(pageA).fill('');
  });

  // the reason a refused message shows on its bubble is held by test/unit/renderer/failed-bubble and
  // the core's honesty test: the page itself no longer lets anyone open a chat with a bad id
  it('when the app behind the page is gone, the typed text stays and the page says why', async () => {
    const carol = server.createUser('carol');
    const pageC = await openApp('carol');
    await signIn(pageC, server, carol);
    await openChatWith(pageC, alice.voipAccount);
    await composer(pageC).fill('please do not lose me');
    await apps.get('carol')!.stop();
    await pageC.getByTestId('app-link-lost').waitFor(WAIT);
    expect(await composer(pageC).inputValue()).toBe('please do not lose me');
    await pageC.context().close();
  }, 60_000);

  it('a second shell on a profile in use is refused and points to the first', async () => {
    const second = startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'alice') });
    await expect(second).rejects.toThrow(/already open in another Magpie/);
    await expect(second).rejects.toThrow(apps.get('alice')!.url);
  }, 60_000);
});
