/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureConsoleBuilt } from './support/console-build';
import { launchChromium } from './support/web-app';

const WAIT = { timeout: 15_000 };

/**
 * What the developer console tells its reader while and after they act, in real Chromium against
 * a real server: never the server's raw validation text, progress while a call takes long, no
 * error left from an action since retried, and boxes that line up.
 */
describe('the developer console\'s feedback', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startTestServer();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(locale = 'en-US'): Promise<Page> {
    const page = await (await browser.newContext({ locale, viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`http://127.0.0.1:${server.httpPort}/console`);
    await page.locator('#account-sid').fill(server.accountSid);
    await page.locator('#auth-token').fill(server.authToken);
    await page.locator('form button').click();
    await page.getByRole('heading', { name: 'Apps' }).or(page.getByRole('heading', { name: '应用' })).waitFor(WAIT);
    return page;
  }

  it('answers a search for a name longer than any name can be with "no match", never the server\'s words', async () => {
    server.createUser('heidi');
    const page = await signIn();
    await page.getByRole('button', { name: /test app/ }).click();
    const subs = page.getByRole('region', { name: 'Sub-accounts' });
    await subs.getByRole('rowheader', { name: 'heidi' }).waitFor(WAIT);
    for (const query of ['x'.repeat(65), 'x'.repeat(70), `${'名'.repeat(100)}`]) {
      await subs.getByRole('searchbox', { name: 'Search by name' }).fill(query);
      await subs.getByRole('button', { name: 'Search', exact: true }).click();
      await expect.poll(() => subs.getByRole('status').textContent(), WAIT).toBe('No sub-account has that name.');
      expect(await subs.getByRole('alert').count()).toBe(0);
      expect(await page.locator('body').innerText()).not.toMatch(/querystring|Too big|friendlyName/);
      await subs.getByRole('button', { name: 'Show all' }).click();
      await subs.getByRole('rowheader', { name: 'heidi' }).waitFor(WAIT);
    }
    await page.context().close();
  }, 60_000);

  it('lines up the "Choose an app" box with the Apps box', async () => {
    const page = await signIn();
    const choose = page.getByText('Choose an app to manage it.');
    await choose.waitFor(WAIT);
    const apps = await page.getByRole('navigation', { name: 'Apps' }).boundingBox();
    const card = await choose.boundingBox();
    expect(Math.abs(card!.y - apps!.y)).toBeLessThanOrEqual(1);
    await page.context().close();
  }, 60_000);

  it('clears an error once the app it was about is no longer shown, and drops the failure of a call a later one outdated', async () => {
    const page = await signIn();
    await page.getByRole('button', { name: /test app/ }).click();
    const detail = page.locator('article.app-detail');
    await page.getByLabel('App name', { exact: true }).fill('   ');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => detail.getByRole('alert').allTextContents(), WAIT).toEqual([expect.stringContaining('A name needs 1–64 characters')]);
    // a new app is shown: the refusal of the other app's name is not said of it
    await page.getByLabel('New app name').fill('Second');
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { name: 'Second' }).waitFor(WAIT);
    expect(await detail.getByRole('alert').count()).toBe(0);
    // back to the first: nothing left from before either
    await page.getByRole('button', { name: /test app/ }).click();
    await page.getByRole('heading', { name: 'test app' }).waitFor(WAIT);
    expect(await detail.getByRole('alert').count()).toBe(0);

    // a refresh of this app's figures that fails only after the page moved to another app
    let first = true;
    await page.route('**/console/api/apps/*/stats**', async (route) => {
      if (!first) return route.continue();
      first = false;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.abort('connectionrefused');
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: /Second/ }).click();
    await page.getByRole('heading', { name: 'Second' }).waitFor(WAIT);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const stats = page.getByRole('region', { name: 'Today' });
    expect(await stats.getByRole('alert').count()).toBe(0);
    await expect.poll(() => stats.getByTestId('online-users').textContent(), WAIT).toBe('0');
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    await page.context().close();
  }, 60_000);
});
