/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, startWebApp, tearDown, WAIT, type WebApp } from './support/web-app';

/**
 * The sign-in form's method is a preference of the computer: "sign out and forget this account"
 * forgets the account's token, not that this computer signs in with an app token, and a restart
 * (a reload of the web shell's page) opens the form on it again.
 */
describe('the sign-in method after "sign out and forget" and a restart', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let page: Page;

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-sign-in-method-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    browser = await launchChromium();
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'profile') });
    apps.push(app);
    page = await openPage(browser, app.url);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  const checked = (method: string) => page.getByTestId(`login-auth-${method}`).isChecked();

  it('stays on the app-token tab; the user id and token are gone', async () => {
    await page.getByTestId('login-form').waitFor(WAIT);
    expect(await checked('password')).toBe(true);
    await page.getByTestId('login-auth-appToken').check({ force: true });
    await page.getByTestId('login-servers').fill(`127.0.0.1:${server.port}`);
    await page.getByTestId('login-app-id').fill(server.appId);
    await page.getByTestId('login-user').fill('tokenuser1');
    await page.getByTestId('login-secret').fill(server.appToken);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('conversation-list').waitFor(WAIT);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-logout-forget').click();
    await page.getByTestId('confirm-yes').click();
    await page.getByTestId('login-form').waitFor(WAIT);
    expect(await checked('appToken')).toBe(true);
    expect(await page.getByTestId('login-user').inputValue()).toBe('');

    await page.reload();
    // forgotten: the restart does not sign the account in again, and the form keeps the method
    await page.getByTestId('login-form').waitFor(WAIT);
    expect(await checked('appToken')).toBe(true);
    expect(await page.getByTestId('login-user').inputValue()).toBe('');
    expect(await page.getByTestId('login-secret').inputValue()).toBe('');
    expect(await page.getByTestId('conversation-list').count()).toBe(0);
  }, 60_000);
});
