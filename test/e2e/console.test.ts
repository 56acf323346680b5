/// <reference lib="dom" />
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol';
import { startPushReceiver, type PushReceiver } from '../integration/push/push-receiver';
import { TestClient } from '../support/test-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { seriousViolations } from './support/axe';
import { ensureConsoleBuilt } from './support/console-build';
import { launchChromium } from './support/web-app';

/**
 * The developer console in real Chromium against a real server, driven by what a person sees
 * (roles, labels, names): sign in, apps, the app token, push, sub-accounts, the online count.
 */
const WAIT = { timeout: 15_000 };
/** Long enough that the second click comes sooner, short enough to wait out. */
const TEST_PUSH_INTERVAL_MS = 3_000;

describe('the developer console, end to end in Chromium', () => {
  let server: TestServer;
  let receiver: PushReceiver;
  let browser: Browser;
  let base: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startTestServer({ tuning: { consoleTestPushIntervalMs: TEST_PUSH_INTERVAL_MS } });
    receiver = await startPushReceiver();
    browser = await launchChromium();
    base = `http://127.0.0.1:${server.httpPort}`;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(clients.map((c) => c.close()));
    await receiver?.close();
    await server?.stop();
  });

  async function openConsole(
    locale: string,
    options: { bypassCSP?: boolean; colorScheme?: 'light' | 'dark' } = {},
  ): Promise<{ page: Page; urls: string[]; errors: string[]; cspErrors: string[] }> {
    const context = await browser.newContext({
      locale,
      viewport: { width: 1280, height: 900 },
      bypassCSP: options.bypassCSP ?? false,
      colorScheme: options.colorScheme ?? 'light',
    });
    const page = await context.newPage();
    const urls: string[] = [];
    // every error the browser writes to its console (a refused request among them)
    const errors: string[] = [];
    const cspErrors: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      errors.push(message.text());
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    await page.goto(`${base}/console`);
    return { page, urls, errors, cspErrors };
  }

  async function appTokenLogin(appId: string, token: string, userId: string): Promise<TestClient> {
    const client = await TestClient.connect(server.port);
    clients.push(client);
    await client.hello();
    await client.loginWithAppToken(appId, token, userId);
    return client;
  }

  it('signs in, manages an app, its token, push and sub-accounts, and counts who is online', async () => {
    const { page, urls, errors, cspErrors } = await openConsole('en-US');
    await page.getByRole('heading', { name: 'Magpie developer console' }).waitFor(WAIT);
    // nobody signed in yet is an ordinary answer: the sign-in form, and no error in the browser's console
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    expect(errors).toEqual([]);

    await page.getByLabel('ACCOUNT SID').fill(server.accountSid);
    await page.getByLabel('AUTH TOKEN').fill('0'.repeat(32));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toContain('The ACCOUNT SID or the AUTH TOKEN is wrong.');
    await page.getByLabel('AUTH TOKEN').fill(server.authToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Apps' }).waitFor(WAIT);

    await page.getByLabel('New app name').fill('Shop');
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { name: 'Shop' }).waitFor(WAIT);
    const shop = server.server.identity.listApps(server.accountSid).find((app) => app.name === 'Shop')!;
    const appId = shop.appId;
    expect(appId).toMatch(/^[0-9a-f]{32}$/);
    // the date the app was made, in the page's language; the exact instant stays in the datetime attribute
    const created = page.getByTestId('app-created');
    expect(await created.getAttribute('datetime')).toBe(shop.dateCreated);
    await expect.poll(() => created.textContent(), WAIT).toMatch(new RegExp(`^[A-Z][a-z]{2} \\d{1,2}, \\d{4}, \\d{1,2}:\\d{2}\\s[AP]M$`));

    // offline, then online again
    await page.getByRole('button', { name: 'Take offline' }).click();
    await page.getByRole('button', { name: 'Put online' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Put online' }).click();
    await page.getByRole('button', { name: 'Take offline' }).waitFor(WAIT);

    // the token, shown on demand, and rotated: the old one no longer logs in
    await page.getByRole('button', { name: 'Show app token' }).click();
    const token = page.getByTestId('app-token');
    await expect.poll(() => token.textContent(), WAIT).toMatch(/^[0-9a-f]{32}$/);
    const oldToken = (await token.textContent())!;
    await page.getByRole('button', { name: 'Rotate app token' }).click();
    await expect.poll(() => token.textContent(), WAIT).not.toBe(oldToken);
    const newToken = (await token.textContent())!;
    await expect(appTokenLogin(appId, oldToken, 'ivan')).rejects.toMatchObject({ code: ErrorCode.TOKEN_AUTH_FAILED });

    // the online count follows a real client's login
    const stats = page.getByRole('region', { name: 'Today' });
    await expect.poll(() => stats.getByTestId('online-users').textContent(), WAIT).toBe('0');
    await appTokenLogin(appId, newToken, 'judy');
    await stats.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => stats.getByTestId('online-users').textContent(), WAIT).toBe('1');

    // push: the webhook, and a test push the reference receiver checks
    const push = page.getByRole('region', { name: 'Offline push' });
    await push.getByLabel('Webhook URL').fill(receiver.url);
    await push.getByRole('button', { name: 'Save push settings' }).click();
    await expect.poll(() => push.getByRole('status').textContent(), WAIT).toContain('Push settings saved.');
    await push.getByRole('button', { name: 'Send test push' }).click();
    await expect.poll(() => push.getByRole('status').textContent(), WAIT).toContain('The receiver answered HTTP 200.');
    await push.getByRole('button', { name: 'Show push secret' }).click();
    const secret = (await push.getByTestId('push-secret').textContent())!.trim();
    expect(receiver.calls).toHaveLength(1);
    expect(receiver.calls[0]!.body).toMatchObject({ type: 'magpie.push.test', appId });
    expect(receiver.verify(receiver.calls[0]!, secret)).toBe(true);
    // one test push per app per consoleTestPushIntervalMs: a click too soon is refused
    await push.getByRole('button', { name: 'Send test push' }).click();
    await expect.poll(() => push.textContent(), WAIT).toContain('Too many attempts. Wait a moment and try again.');
    expect(receiver.calls).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, TEST_PUSH_INTERVAL_MS));
    receiver.failNext(503);
    await push.getByRole('button', { name: 'Send test push' }).click();
    await expect.poll(() => push.getByRole('status').textContent(), WAIT).toContain('The receiver answered HTTP 503.');

    // sub-accounts: create two, find one by name, close it; a name of 64 emoji (128 UTF-16 units)
    // is whole: the field does not cut what the server takes
    const subs = page.getByRole('region', { name: 'Sub-accounts' });
    for (const name of ['🐦'.repeat(64), 'heidi']) {
      await subs.getByLabel('Friendly name').fill(name);
      await subs.getByRole('button', { name: 'Create sub-account' }).click();
      await subs.getByRole('rowheader', { name }).waitFor(WAIT);
    }
    await subs.getByRole('searchbox', { name: 'Search by name' }).fill('heidi');
    await subs.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => subs.getByRole('rowheader').allTextContents(), WAIT).toEqual(['heidi']);
    await subs.getByRole('button', { name: 'Close heidi' }).click();
    await subs.getByRole('button', { name: 'Reopen heidi' }).waitFor(WAIT);
    expect(server.server.identity.findByFriendlyName(appId, 'heidi')?.closed).toBe(true);
    // ten to a page: twelve sub-accounts are two pages
    for (let i = 0; i < 10; i++) server.server.identity.createSubAccount(appId, `user-${i}`);
    await subs.getByRole('button', { name: 'Show all' }).click();
    const pager = subs.getByRole('navigation', { name: 'Sub-account pages' });
    await expect.poll(() => pager.textContent(), WAIT).toContain('Page 1 of 2 (12 in all)');
    await pager.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => pager.textContent(), WAIT).toContain('Page 2 of 2');
    await expect.poll(() => subs.getByRole('rowheader').allTextContents(), WAIT).toEqual(['user-8', 'user-9']);

    // Chinese, switched on the page
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '鹊 Magpie 开发者控制台' }).waitFor(WAIT);
    await page.getByRole('button', { name: '发送测试推送' }).waitFor(WAIT);
    await expect.poll(() => created.textContent(), WAIT).toMatch(new RegExp(`^\\d{4}年\\d{1,2}月\\d{1,2}日 \\d{1,2}:\\d{2}$`));
    // what was said before the switch is said again in Chinese
    await expect.poll(() => page.getByRole('region', { name: '离线推送' }).getByRole('status').textContent(), WAIT).toContain('接收方返回 HTTP 503。');
    // a name of spaces is refused in the page's language (the server's message is English)
    await page.getByLabel('新应用名称').fill('   ');
    await page.getByRole('button', { name: '创建应用' }).click();
    await expect
      .poll(() => page.getByRole('navigation', { name: '应用', exact: true }).getByRole('alert').textContent(), WAIT)
      .toBe('名称需为 1–64 个字符（表情或汉字各算一个），不能全是空格，也不能包含换行等控制字符。');
    // a test push to a port where nothing listens is worded in Chinese too (not the server's English)
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const pushZh = page.getByRole('region', { name: '离线推送' });
    await pushZh.getByLabel('推送地址（Webhook URL）').fill(`http://127.0.0.1:${closedPort}/hook`);
    await pushZh.getByRole('button', { name: '保存推送设置' }).click();
    await expect.poll(() => pushZh.getByRole('status').textContent(), WAIT).toContain('推送设置已保存。');
    await new Promise((resolve) => setTimeout(resolve, TEST_PUSH_INTERVAL_MS));
    await pushZh.getByRole('button', { name: '发送测试推送' }).click();
    await expect.poll(() => pushZh.getByRole('status').textContent(), WAIT).toContain('测试推送没有得到响应：接收方拒绝了连接');
    await page.getByLabel('语言').selectOption('en');

    // rename, then delete
    await page.getByLabel('App name', { exact: true }).fill('Shop 2');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('heading', { name: 'Shop 2' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Delete app' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByText('Choose an app to manage it.').waitFor(WAIT);
    const appList = page.getByRole('navigation', { name: 'Apps' });
    expect(await appList.getByRole('listitem').allTextContents()).toEqual([expect.stringContaining('test app')]);
    expect(server.server.identity.getApp(appId)).toBeUndefined();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    // the wrong token's refusal above was an error; a visit after signing out brings none
    const errorsBefore = errors.length;
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    expect(errors.slice(errorsBefore)).toEqual([]);

    // the auth token went in a POST body only; the page ran under its CSP without a refusal
    expect(urls.filter((url) => url.includes(server.authToken))).toEqual([]);
    expect(cspErrors).toEqual([]);
  }, 120_000);

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`opens in Chinese for a Chinese browser, and passes axe-core signed out and signed in (${colorScheme})`, async () => {
      // a row in the sub-account table, so axe sees it too
      server.createUser(`kim-${colorScheme}`);
      // axe is injected as a script: only a context that bypasses the page's CSP lets it in
      const { page, errors } = await openConsole('zh-CN', { bypassCSP: true, colorScheme });
      await page.getByRole('heading', { name: '鹊 Magpie 开发者控制台' }).waitFor(WAIT);
      await page.getByRole('button', { name: '登录' }).waitFor(WAIT);
      expect(errors).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByLabel('ACCOUNT SID').fill(server.accountSid);
      await page.getByLabel('AUTH TOKEN').fill(server.authToken);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('heading', { name: '应用' }).waitFor(WAIT);
      await page.getByRole('navigation', { name: '应用' }).getByRole('button', { name: /test app/ }).click();
      await page.getByRole('region', { name: '子账号' }).getByRole('rowheader', { name: `kim-${colorScheme}` }).waitFor(WAIT);
      await page.getByRole('button', { name: '显示 APP TOKEN' }).waitFor(WAIT);
      expect(await seriousViolations(page)).toEqual([]);
    }, 60_000);
  }
});
