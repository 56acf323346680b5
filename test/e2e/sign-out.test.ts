/// <reference lib="dom" />
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, signIn, startWebApp, tearDown, WAIT, type User, type WebApp } from './support/web-app';

/**
 * A plain "Sign out" of a remembered account stays signed out: a restart (a reload of the web
 * shell's page) shows the sign-in form with the account's app and user id and no password, and
 * signs no one in until the password is typed again.
 */
describe('"Sign out" and a restart', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let page: Page;
  let alice: User;

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-sign-out-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    browser = await launchChromium();
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'profile') });
    apps.push(app);
    page = await openPage(browser, app.url);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  const value = (testId: string) => page.getByTestId(testId).inputValue();

  it('comes back to the form with the app and user id, no password, not signed in; signing in again works', async () => {
    await page.getByTestId('login-form').waitFor(WAIT);
    expect(await page.getByTestId('login-remember').isChecked()).toBe(true);
    await signIn(page, server, alice);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-logout').click();
    await page.getByTestId('confirm-yes').click();
    await page.getByTestId('login-form').waitFor(WAIT);
    expect(await value('login-user')).toBe(alice.voipAccount);
    expect(await value('login-app-id')).toBe(server.appId);
    // the remembered login on disk kept the account, not the password
    const remembered = await readFile(join(work, 'profile', 'login.json'), 'utf8');
    expect(remembered).not.toContain(alice.voipPwd);
    expect(JSON.parse(remembered)).not.toHaveProperty('sealedAuth');

    await page.reload();
    await page.getByTestId('login-form').waitFor(WAIT);
    expect(await value('login-servers')).toBe(`127.0.0.1:${server.port}`);
    expect(await value('login-app-id')).toBe(server.appId);
    expect(await value('login-user')).toBe(alice.voipAccount);
    expect(await value('login-secret')).toBe('');
    expect(await page.getByTestId('login-auth-password').isChecked()).toBe(true);
    expect(await page.getByTestId('conversation-list').count()).toBe(0);

    // the password alone signs in again, remembered again: a reload keeps the session
    await page.getByTestId('login-secret').fill(alice.voipPwd);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('conversation-list').waitFor(WAIT);
    expect(JSON.parse(await readFile(join(work, 'profile', 'login.json'), 'utf8'))).toHaveProperty('sealedAuth');
    await page.reload();
    await page.getByTestId('conversation-list').waitFor(WAIT);
  }, 60_000);
});
