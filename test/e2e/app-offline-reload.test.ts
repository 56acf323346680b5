/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, signIn, startWebApp, tearDown, WAIT, type User, type WebApp } from './support/web-app';

/**
 * An app the developer takes offline ends its users' sessions. The page says so with the sign-in
 * form under a banner naming why, and a reload (or a second tab) says the same: not the chat list
 * of a session that is over under a banner saying it ended.
 */
describe('an app taken offline, and the page reloaded', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let app: WebApp;
  let alice: User;

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-app-offline-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    browser = await launchChromium();
    app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'profile') });
    apps.push(app);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  async function expectEndedForm(page: Page, words: string): Promise<void> {
    await page.getByTestId('login-form').waitFor(WAIT);
    const banner = page.getByTestId('connection-banner');
    await banner.waitFor(WAIT);
    expect(await banner.getAttribute('data-state')).toBe('ended');
    expect(await banner.innerText()).toContain(words);
    expect(await page.getByTestId('conversation-list').count()).toBe(0);
    expect(await page.getByTestId('login-user').inputValue()).toBe(alice.voipAccount);
  }

  it('shows the form and why, before and after a reload, in English and in Chinese', async () => {
    const page = await openPage(browser, app.url);
    await signIn(page, server, alice);
    server.server.access.setAppState(server.appId, 'offline', 'the app was taken offline');
    await expectEndedForm(page, 'This app is offline (code 520003)');

    await page.reload();
    await expectEndedForm(page, 'This app is offline (code 520003)');

    const zh = await openPage(browser, app.url, { locale: 'zh-CN' });
    await expectEndedForm(zh, '该应用已下线（错误码 520003）');

    // signing in again is refused for the same reason, said on the form
    await zh.getByTestId('login-secret').fill(alice.voipPwd);
    await zh.getByTestId('login-submit').click();
    await zh.getByTestId('login-error').waitFor(WAIT);
    expect(await zh.getByTestId('login-error').innerText()).toContain('该应用已下线');

    // back online, the same form signs in, and the other tab follows at its reload
    server.server.access.setAppState(server.appId, 'online');
    await zh.getByTestId('login-submit').click();
    await zh.getByTestId('conversation-list').waitFor(WAIT);
    expect(await zh.getByTestId('connection-banner').count()).toBe(0);
    await page.reload();
    await page.getByTestId('conversation-list').waitFor(WAIT);
  }, 90_000);
  it('a restart with the app offline: the form under the refusal, as a reload shows it, its Retry now reads whole at 360 px and brings the chats back', async () => {
    server.server.access.setAppState(server.appId, 'offline', 'the app was taken offline');
    await app.stop();
    // a new start signs in with the remembered login, which the server refuses
    app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'profile') });
    apps.push(app);
    const expectRefusedForm = async (page: Page, words: string): Promise<void> => {
      await page.getByTestId('login-form').waitFor(WAIT);
      const banner = page.locator('[data-testid="connection-banner"][data-state="refused"]');
      await banner.waitFor(WAIT);
      expect(await banner.innerText()).toContain(words);
      // no chat to type into that could send nothing
      expect(await page.getByTestId('conversation-list').count()).toBe(0);
      expect(await page.getByTestId('composer-input').count()).toBe(0);
      expect(await page.getByTestId('login-user').inputValue()).toBe(alice.voipAccount);
    };
    const page = await openPage(browser, app.url, { locale: 'zh-CN', viewport: { width: 360, height: 640 } });
    await expectRefusedForm(page, '服务器拒绝了登录：该应用已下线（错误码 520003）');
    const retry = page.getByTestId('banner-retry');
    const box = (await retry.boundingBox())!;
    // one line of its words, not a character a line
    expect(box.height).toBeLessThan(40);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    // a reload, and a tab in English, say the same
    await page.reload();
    await expectRefusedForm(page, '服务器拒绝了登录：该应用已下线（错误码 520003）');
    const en = await openPage(browser, app.url);
    await expectRefusedForm(en, 'The server refused to sign you in: This app is offline (code 520003)');
    // refused again: still the form
    await retry.click();
    await expect.poll(async () => (await retry.isEnabled()) && (await retry.innerText()) === '立即重试', WAIT).toBe(true);
    expect(await page.getByTestId('login-form').count()).toBe(1);

    // back online, Retry now signs in with what is remembered: the chats, no password typed
    server.server.access.setAppState(server.appId, 'online');
    await retry.click();
    await page.getByTestId('conversation-list').waitFor(WAIT);
    expect(await page.getByTestId('connection-banner').count()).toBe(0);
    await en.reload();
    await en.getByTestId('conversation-list').waitFor(WAIT);
  }, 90_000);
});
