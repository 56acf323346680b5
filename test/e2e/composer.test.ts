/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, openChatWith, signIn, type User, openPage, tearDown } from './support/web-app';

/** The composer as a user types into it: where the typing goes, and what is kept of it. */
describe('the composer', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let page: Page;
  let bob: User;

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-draft-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    const alice = server.createUser('alice');
    bob = server.createUser('bob');
    browser = await launchChromium();
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'alice') });
    apps.push(app);
    page = await openPage(browser, app.url);
    await signIn(page, server, alice);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  // a draft is saved a moment after the last key: the window going away in that moment must not lose it
  it('a draft typed just before a reload is kept', async () => {
    await openChatWith(page, bob.voipAccount);
    await page.getByTestId('composer-input').fill('meet at the north gate, not the');
    // no pause for the draft's timer: the window goes at once, as a reload or a closed app does
    await page.reload();
    const item = page.locator(`[data-testid="conversation-item"][data-conversation="${bob.voipAccount}"]`);
    await expect.poll(() => item.textContent(), WAIT).toContain('meet at the north gate, not the');
    await item.click();
    expect(await page.getByTestId('composer-input').inputValue()).toBe('meet at the north gate, not the');
  }, 60_000);

  it('a chat started from New chat with the keyboard takes the typing at once', async () => {
    const carol = server.createUser('carol');
    await page.getByTestId('new-chat').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('new-chat-user').waitFor(WAIT);
    await page.keyboard.type(carol.voipAccount);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('chat-pane').getAttribute('data-conversation'), WAIT).toBe(carol.voipAccount);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')), WAIT).toBe('composer-input');
    await page.keyboard.type('hello carol');
    await page.keyboard.press('Enter');
    await page.getByTestId('message-bubble').filter({ hasText: 'hello carol' }).waitFor(WAIT);
  }, 60_000);
});
