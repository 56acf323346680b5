/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, type User, signIn, openPage, tearDown } from './support/web-app';

/**
 * What a new user saw go stale or read wrong, in two windows (alice and bob) of the real UI: a
 * change made in one window shows in the other without a reload, and voluntary actions are not
 * reported as failures.
 */

describe('the app keeps every view current and says what happened', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let alice: User;
  let bob: User;
  let pageA: Page;
  let pageB: Page;
  let groupId: string;

  async function openApp(name: string): Promise<{ page: Page; app: WebApp }> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, name) });
    apps.push(app);
    const page = await openPage(browser, app.url, { pageErrors: 'ignore' });
    return { page, app };
  }


  const errorToasts = (page: Page) => page.locator('[data-testid="toasts"] .toast.error');
  const groupItem = (page: Page) => page.locator(`[data-testid="group-item"][data-group="${groupId}"]`);

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-ui-state-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    bob = server.createUser('bob');
    browser = await launchChromium();
    pageA = (await openApp('alice')).page;
    pageB = (await openApp('bob')).page;
    await signIn(pageA, server, alice);
    await signIn(pageB, server, bob);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  it('the sign-in form says which characters an id may have and which address failed', async () => {
    const { page } = await openApp('login-help');
    await page.getByTestId('login-form').waitFor(WAIT);
    await page.getByTestId('login-user').fill('张三');
    await expect.poll(() => page.getByTestId('login-user-error').textContent(), WAIT).toContain('"张三" may contain only ASCII letters');
    await page.getByTestId('login-user').fill('zhang_san');
    await expect.poll(() => page.getByTestId('login-user-error').textContent(), WAIT).toBe('');
    // nothing listens on port 1 of loopback
    await page.getByTestId('login-servers').fill('127.0.0.1:1');
    await page.getByTestId('login-app-id').fill(server.appId);
    await page.getByTestId('login-secret').fill('secret');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent(), { timeout: 30_000 }).toContain('Could not reach 127.0.0.1:1');
    // an entry that is no address names itself, before any connection
    await page.getByTestId('login-servers').fill('127.0.0.1:99999');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent(), WAIT).toBe('A server address is not valid (write host:port, port 1–65535; tcp:// or tls:// in front if needed) (code 171012): "127.0.0.1:99999"');
    // a TLS address on the server's plain port: the handshake fails, and the form says what to write
    await page.getByTestId('login-servers').fill(`tls://127.0.0.1:${server.port}`);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent(), { timeout: 30_000 }).toContain(`try tcp://127.0.0.1:${server.port}`);
    await page.context().close();
  }, 90_000);

  it('a new chat and an invite name the id that breaks the rules, and why', async () => {
    await pageA.getByTestId('new-chat').click();
    await pageA.getByTestId('new-chat-user').fill('g42');
    await expect.poll(() => pageA.getByTestId('new-chat-error').textContent(), WAIT).toContain('"g42" starts with "g"');
    await pageA.getByTestId('new-chat-start').click();
    expect(await pageA.getByTestId('new-chat-dialog').isVisible()).toBe(true);
    await pageA.keyboard.press('Escape');

    await pageA.getByTestId('nav-groups').click();
    await pageA.getByTestId('groups-create').click();
    await pageA.getByTestId('create-group-name').fill('Team');
    await pageA.getByTestId('create-group-mode-approval').check({ force: true });
    await pageA.getByTestId('create-group-submit').click();
    const details = pageA.getByTestId('group-details');
    await details.waitFor(WAIT);
    groupId = (await details.getAttribute('data-group')) ?? '';
    await pageA.getByTestId('group-invite').click();
    await pageA.getByTestId('invite-users').fill('carol, 张三');
    await expect.poll(() => pageA.getByTestId('invite-error').textContent(), WAIT).toContain('"张三"');
    await pageA.getByTestId('invite-send').click();
    expect(await pageA.getByTestId('invite-dialog').isVisible()).toBe(true);
    await pageA.getByTestId('invite-users').fill(bob.voipAccount);
    await pageA.getByTestId('invite-send').click();
    await pageA.locator(`[data-testid="member-row"][data-user="${bob.voipAccount}"]`).waitFor(WAIT);
  });

  it("a group's name, mode and member count reach the other member's list and header without a reload", async () => {
    await pageB.getByTestId('nav-groups').click();
    await groupItem(pageB).waitFor(WAIT);
    await expect.poll(() => groupItem(pageB).textContent(), WAIT).toContain('Approval');
    await pageB.getByTestId('nav-chats').click();
    await pageB.locator(`[data-testid="conversation-item"][data-conversation="${groupId}"]`).click(WAIT);
    await expect.poll(() => pageB.getByTestId('chat-title').textContent(), WAIT).toContain('(2)');

    await pageA.getByTestId('group-edit').click();
    await pageA.getByTestId('edit-group-name').fill('Team Renamed');
    await pageA.getByTestId('edit-group-mode').selectOption('private');
    await pageA.getByTestId('edit-group-save').click();

    await expect.poll(() => pageB.getByTestId('chat-title').textContent(), WAIT).toContain('Team Renamed');
    await pageB.getByTestId('nav-groups').click();
    await expect.poll(() => groupItem(pageB).textContent(), WAIT).toContain('Team Renamed');
    await expect.poll(() => groupItem(pageB).textContent(), WAIT).toContain('Private');
  });

  it('a new nickname reaches the other window, shown as text with a real initial', async () => {
    await pageB.getByTestId('nav-settings').click();
    await pageB.getByTestId('settings-nickname').fill('<b>鲍勃</b>');
    await pageB.getByTestId('settings-nickname-save').click();

    const row = pageA.locator(`[data-testid="member-row"][data-user="${bob.voipAccount}"]`);
    // alice comes back to her window
    await pageA.evaluate(() => window.dispatchEvent(new Event('focus')));
    await pageA.getByTestId('nav-chats').click();
    await pageA.getByTestId('nav-groups').click();
    await groupItem(pageA).click();
    await expect.poll(() => row.textContent(), WAIT).toContain('<b>鲍勃</b>');
    expect(await row.locator('b').count()).toBe(0);
    expect((await row.locator('.avatar').textContent())?.trim()).toBe('鲍');
  });

  it('a muted member reads "muted you for 10 minutes" and gets no composer buttons; a map link fills the location', async () => {
    await pageA.locator(`[data-testid="member-row"][data-user="${bob.voipAccount}"]`).getByTestId('member-actions').click();
    await pageA.getByTestId('member-mute').click();
    await pageA.getByTestId('mute-minutes').fill('10');
    await pageA.getByTestId('mute-save').click();

    await pageB.getByTestId('nav-chats').click();
    await pageB.locator(`[data-testid="conversation-item"][data-conversation="${groupId}"]`).click(WAIT);
    await expect.poll(() => pageB.getByTestId('notice-line').last().textContent(), WAIT).toMatch(/muted you for 10 minutes\s*$/);
    await pageB.getByTestId('composer-disabled').waitFor(WAIT);
    expect(await pageB.getByTestId('location-button').count()).toBe(0);
    expect(await pageB.getByTestId('composer-send').count()).toBe(0);

    await pageA.getByTestId('group-open-chat').click();
    await pageA.getByTestId('location-button').click();
    await pageA.getByTestId('location-link').fill('https://www.openstreetmap.org/?mlat=31.2304&mlon=121.4737#map=16/31.23/121.47');
    await expect.poll(() => pageA.getByTestId('location-lat').inputValue(), WAIT).toBe('31.2304');
    expect(await pageA.getByTestId('location-lng').inputValue()).toBe('121.4737');
    await pageA.getByTestId('location-send').click();
    await pageA.getByTestId('message-bubble').filter({ hasText: '31.2304' }).waitFor(WAIT);
    await pageA.getByTestId('nav-groups').click();
    await groupItem(pageA).click();
  });

  it('dismissing a group gives its owner no error', async () => {
    await pageA.getByTestId('group-dismiss').click();
    await expect.poll(() => pageA.getByTestId('confirm-dialog').textContent(), WAIT).toContain('Dismiss group');
    await pageA.getByTestId('confirm-yes').click();
    await expect.poll(() => groupItem(pageA).count(), WAIT).toBe(0);
    await expect.poll(() => groupItem(pageB).count(), WAIT).toBe(0);
    // the member's open chat says so, and counts no members of a group that is gone
    await pageB.getByTestId('nav-chats').click();
    await expect.poll(() => pageB.getByTestId('composer-disabled').textContent(), WAIT).toContain('dismissed');
    expect(await pageB.getByTestId('chat-title').textContent()).not.toMatch(/\(\d+\)/);
    // give any late answer the time to show a toast
    await pageA.waitForTimeout(1_000);
    expect(await errorToasts(pageA).allTextContents()).toEqual([]);
  });

  it('signing out is no failure, and the form still holds the user and app', async () => {
    await pageB.getByTestId('nav-settings').click();
    await pageB.getByTestId('settings-logout').click();
    await expect.poll(() => pageB.getByTestId('confirm-yes').textContent(), WAIT).toContain('Sign out');
    await pageB.getByTestId('confirm-yes').click();
    await pageB.getByTestId('login-form').waitFor(WAIT);
    await pageB.waitForTimeout(500);
    expect(await pageB.getByTestId('connection-banner').count()).toBe(0);
    expect(await pageB.getByTestId('login-user').inputValue()).toBe(bob.voipAccount);
    expect(await pageB.getByTestId('login-app-id').inputValue()).toBe(server.appId);

    // signing in again opens on the chats, not on the settings left open
    await pageB.getByTestId('login-secret').fill(bob.voipPwd);
    await pageB.getByTestId('login-submit').click();
    await pageB.getByTestId('conversation-list').waitFor(WAIT);
  });

  it('a kick by another sign-in names the kind of device, never its id', async () => {
    const { page } = await openApp('bob-elsewhere');
    await page.getByTestId('login-form').waitFor(WAIT);
    await page.getByTestId('login-servers').fill(`127.0.0.1:${server.port}`);
    await page.getByTestId('login-app-id').fill(server.appId);
    await page.getByTestId('login-user').fill(bob.voipAccount);
    await page.getByTestId('login-secret').fill(bob.voipPwd);
    await page.getByTestId('login-force').check();
    await page.getByTestId('login-submit').click();
    await page.getByTestId('conversation-list').waitFor(WAIT);
    const banner = pageB.getByTestId('connection-banner');
    await expect.poll(() => banner.textContent(), WAIT).toContain('signed in on another computer');
    expect(await banner.textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
    await page.context().close();
  }, 90_000);

  it('a page whose app process stopped says so and stops looking alive', async () => {
    const { page, app } = await openApp('stopping');
    await page.getByTestId('login-form').waitFor(WAIT);
    expect(await page.getByTestId('app-link-lost').count()).toBe(0);
    // the tab carries the app's icon
    const icon = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? '';
      const answer = href ? await fetch(href) : undefined;
      return { ok: answer?.ok ?? false, type: answer?.headers.get('content-type') ?? '' };
    });
    expect(icon).toEqual({ ok: true, type: expect.stringContaining('image/svg+xml') });
    await app.stop();
    await page.getByTestId('app-link-lost').waitFor(WAIT);
    expect(await page.getByTestId('app-link-lost').textContent()).toContain('the app has stopped');
    expect(await page.locator('.app-body').getAttribute('inert')).not.toBeNull();
    await page.context().close();
  }, 90_000);
});
