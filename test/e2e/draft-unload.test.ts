import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, openChatWith, signIn, type User, openPage, tearDown } from './support/web-app';

/** A draft is saved a moment after the last key; the window going away in that moment must not lose it. */
describe('a draft typed just before the window goes away', () => {
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

  it('is kept when the page reloads right after the typing', async () => {
    await openChatWith(page, bob.voipAccount);
    await page.getByTestId('composer-input').fill('meet at the north gate, not the');
    // no pause for the draft's timer: the window goes at once, as a reload or a closed app does
    await page.reload();
    const item = page.locator(`[data-testid="conversation-item"][data-conversation="${bob.voipAccount}"]`);
    await expect.poll(() => item.textContent(), WAIT).toContain('meet at the north gate, not the');
    await item.click();
    expect(await page.getByTestId('composer-input').inputValue()).toBe('meet at the north gate, not the');
  }, 60_000);
});
