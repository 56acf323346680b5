/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureConsoleBuilt } from './support/console-build';
import { launchChromium } from './support/web-app';

const WAIT = { timeout: 15_000 };

/**
 * The console's "Create app" form submitted twice, in real Chromium against a real server: a
 * double click, and a second submit after the first one's answer was lost on the way back. Each
 * makes one app.
 */
describe('the developer console\'s app create, submitted twice', () => {
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

  const named = (name: string): number => server.server.identity.listApps(server.accountSid).filter((app) => app.name === name).length;

  async function signIn(): Promise<Page> {
    const page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`http://127.0.0.1:${server.httpPort}/console`);
    await page.locator('#account-sid').fill(server.accountSid);
    await page.locator('#auth-token').fill(server.authToken);
    await page.locator('form button').click();
    await page.getByRole('heading', { name: 'Apps' }).waitFor(WAIT);
    return page;
  }

  it('a second submit after the answer was lost shows the app the first one made, and makes no second', async () => {
    const page = await signIn();
    // the first create reaches the server and is done; its answer never comes back to the page
    let lost = 0;
    await page.route('**/console/api/apps', async (route) => {
      if (route.request().method() !== 'POST' || lost > 0) return route.continue();
      lost++;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByLabel('New app name').fill('Lost answer');
    await page.getByRole('button', { name: 'Create app' }).click();
    await expect.poll(() => page.getByRole('navigation', { name: 'Apps' }).getByRole('alert').textContent(), WAIT).not.toBe('');
    expect(named('Lost answer')).toBe(1);

    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { name: 'Lost answer' }).waitFor(WAIT);
    expect(lost).toBe(1);
    expect(named('Lost answer')).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: /^Lost answer/ }).count(), WAIT).toBe(1);

    // once an app came back, the form makes a new one, even of the same name
    await page.getByLabel('New app name').fill('Lost answer');
    await page.getByRole('button', { name: 'Create app' }).click();
    await expect.poll(() => named('Lost answer'), WAIT).toBe(2);
    await page.context().close();
  }, 60_000);

  it('a double click on Create app, and Enter pressed twice, make one app each', async () => {
    const page = await signIn();
    // a slow server: the second submit comes while the first is under way
    await page.route('**/console/api/apps', async (route) => {
      if (route.request().method() === 'POST') await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await page.getByLabel('New app name').fill('Double click');
    await page.getByRole('button', { name: 'Create app' }).dblclick();
    await page.getByRole('heading', { name: 'Double click' }).waitFor(WAIT);
    await page.getByLabel('New app name').fill('Double enter');
    await page.getByLabel('New app name').press('Enter');
    await page.getByLabel('New app name').press('Enter');
    await page.getByRole('heading', { name: 'Double enter' }).waitFor(WAIT);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([named('Double click'), named('Double enter')]).toEqual([1, 1]);
    await page.context().close();
  }, 60_000);
});
