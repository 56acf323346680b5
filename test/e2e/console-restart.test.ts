/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureConsoleBuilt } from './support/console-build';
import { launchChromium } from './support/web-app';

const WAIT = { timeout: 15_000 };

/**
 * The console open in Chromium while its server stops and starts again: a click meanwhile says
 * the server did not answer (not the browser's bare "Failed to fetch"), and once the server is
 * back the stale session leads to the sign-in form.
 */
describe('the developer console across a server restart', () => {
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

  async function signIn(locale: string): Promise<Page> {
    const page = await (await browser.newContext({ locale })).newPage();
    await page.goto(`http://127.0.0.1:${server.httpPort}/console`);
    await page.locator('#account-sid').fill(server.accountSid);
    await page.locator('#auth-token').fill(server.authToken);
    await page.locator('form button').click();
    await page.getByRole('button', { name: /test app/ }).click();
    return page;
  }

  it('says the server did not answer when the page opens while it cannot be reached, and signs in once it answers', async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    // the page came (from a cache, or just before the server stopped); the session call does not
    await page.route('**/console/api/session', (route) => route.abort('connectionrefused'));
    await page.goto(`http://127.0.0.1:${server.httpPort}/console`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    await expect.poll(() => page.getByRole('alert').allTextContents(), WAIT).toContain(
      'The server did not answer: it may be stopped or restarting. Try again in a moment.',
    );
    await page.unroute('**/console/api/session');
    await page.locator('#account-sid').fill(server.accountSid);
    await page.locator('#auth-token').fill(server.authToken);
    await page.locator('form button').click();
    await page.getByRole('button', { name: /test app/ }).waitFor(WAIT);
    expect(await page.getByRole('alert').allTextContents()).not.toContain('The server did not answer: it may be stopped or restarting. Try again in a moment.');
    await page.context().close();
  });

  it('says the server did not answer while it is down, then asks to sign in again', async () => {
    const page = await signIn('en-US');
    const chinese = await signIn('zh-CN');
    await page.getByRole('button', { name: 'Refresh' }).waitFor(WAIT);
    const { dataDir, httpPort } = server;
    await server.stop({ keepData: true });

    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.getByRole('alert').allTextContents(), WAIT).toContain(
      'The server did not answer: it may be stopped or restarting. Try again in a moment.',
    );
    expect((await page.locator('body').innerText()).includes('Failed to fetch')).toBe(false);
    await chinese.getByRole('button', { name: '刷新' }).click();
    await expect.poll(() => chinese.getByRole('alert').allTextContents(), WAIT).toContain('服务器没有响应：它可能已停止或正在重启，请稍后重试。');

    // back on the same port: the session died with the old process, so the page signs out
    server = await startTestServer({ dataDir, httpPort });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    await expect.poll(() => page.getByRole('alert').allTextContents(), WAIT).toContain('Your session ended. Please sign in again.');
    // signing out by hand is no ended session: the form comes without the notice
    await page.locator('#account-sid').fill(server.accountSid);
    await page.locator('#auth-token').fill(server.authToken);
    await page.locator('form button').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});
