/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    // a test push per app every 0.5 s: the test of a slow receiver sends one per language
    server = await startTestServer({ tuning: { consoleTestPushIntervalMs: 500 } });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(locale = 'en-US', viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await (await browser.newContext({ locale, viewport })).newPage();
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

  it('fits a 360 px wide window in both languages: the page never scrolls sideways, the sub-account table scrolls inside its box', async () => {
    server.createUser('ivan');
    for (const [locale, subsName] of [['en-US', 'Sub-accounts'], ['zh-CN', '子账号']] as const) {
      const page = await signIn(locale, { width: 360, height: 740 });
      await page.getByRole('button', { name: /test app/ }).click();
      const subs = page.getByRole('region', { name: subsName });
      await subs.getByRole('rowheader', { name: 'ivan' }).waitFor(WAIT);
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
      expect(widths.page).toBeLessThanOrEqual(widths.window);
      // every card and the header stay inside the window
      for (const box of await page.locator('header, .card').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right))) {
        expect(box).toBeLessThanOrEqual(360);
      }
      const scroller = subs.locator('.table-scroll');
      expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      await page.context().close();
    }
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

  it('says a test push is under way while it waits for a slow receiver, then what the receiver answered', async () => {
    let hooks = 0;
    const slow: Server = createServer((request, response) => {
      hooks++;
      request.resume();
      setTimeout(() => response.writeHead(200).end(), 2_500);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      for (const [locale, labels] of [
        ['en-US', { region: 'Offline push', url: 'Webhook URL', save: 'Save push settings', send: 'Send test push', sending: 'Sending…', waiting: 'waiting for the receiver’s answer', done: 'The receiver answered HTTP 200.' }],
        ['zh-CN', { region: '离线推送', url: '推送地址（Webhook URL）', save: '保存推送设置', send: '发送测试推送', sending: '正在发送…', waiting: '等待接收方响应', done: '接收方返回 HTTP 200。' }],
      ] as const) {
        const page = await signIn(locale);
        await page.getByRole('button', { name: /test app/ }).click();
        const push = page.getByRole('region', { name: labels.region });
        await push.getByLabel(labels.url).fill(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook?${locale}`);
        await push.getByRole('button', { name: labels.save }).click();
        await push.getByRole('status').waitFor(WAIT);
        await push.getByRole('button', { name: labels.send }).click();
        const sending = push.getByRole('button', { name: labels.sending });
        await sending.waitFor(WAIT);
        expect(await sending.isDisabled()).toBe(true);
        expect(await push.getByRole('status').textContent()).toContain(labels.waiting);
        await expect.poll(() => push.getByRole('status').textContent(), WAIT).toContain(labels.done);
        expect(await push.getByRole('button', { name: labels.send }).isEnabled()).toBe(true);
        await page.context().close();
      }
      expect(hooks).toBe(2);
    } finally {
      await new Promise((resolve) => slow.close(resolve));
    }
  }, 90_000);
});
