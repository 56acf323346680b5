/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { seriousViolations } from './support/axe';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, signIn, openPage, tearDown } from './support/web-app';

/**
 * axe-core's WCAG 2.1 A/AA rules over every screen of the real UI, in both themes: no serious or
 * critical violation (contrast, names, roles) may come back.
 */

describe('every screen passes axe-core, light and dark', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let page: Page;
  let peer: Page;

  async function openApp(name: string, scheme: 'light' | 'dark'): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, name) });
    apps.push(app);
    const p = await openPage(browser, app.url, { colorScheme: scheme, bypassCSP: true, pageErrors: 'ignore' });
    return p;
  }


  async function expectClean(p: Page, screen: string): Promise<void> {
    const found = await seriousViolations(p);
    expect(found, `${screen}: ${JSON.stringify(found, null, 1)}`).toEqual([]);
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-axe-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    browser = await launchChromium();
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  for (const scheme of ['light', 'dark'] as const) {
    it(`login, chat, groups and settings in the ${scheme} theme`, async () => {
      const alice = server.createUser(`alice-${scheme}`);
      const bob = server.createUser(`bob-${scheme}`);
      page = await openApp(`alice-${scheme}`, scheme);
      await page.getByTestId('login-form').waitFor(WAIT);
      await expectClean(page, 'login');
      // a refused sign-in shows its error on the form
      await page.getByTestId('login-submit').click();
      await expectClean(page, 'login with an error');

      await signIn(page, server, alice);
      peer = await openApp(`bob-${scheme}`, scheme);
      await signIn(peer, server, bob);
      await expectClean(page, 'empty chat list');

      await page.getByTestId('new-chat').click();
      await expectClean(page, 'new chat dialog');
      await page.getByTestId('new-chat-user').fill(bob.voipAccount);
      await page.getByTestId('new-chat-start').click();
      await page.getByTestId('composer-input').fill('Hello 你好 👋');
      await page.getByTestId('composer-input').press('Enter');
      await peer.locator(`[data-testid="conversation-item"][data-conversation="${alice.voipAccount}"]`).click(WAIT);
      await peer.getByTestId('composer-input').fill('Hi there');
      await peer.getByTestId('composer-input').press('Enter');
      await page.getByTestId('message-bubble').filter({ hasText: 'Hi there' }).waitFor(WAIT);
      await expectClean(page, 'chat');
      // the row under the pointer shows its time and actions
      await page.getByTestId('message-bubble').filter({ hasText: 'Hi there' }).hover();
      await expectClean(page, 'chat, hovered message');

      await page.getByTestId('nav-groups').click();
      await page.getByTestId('groups-create').click();
      await expectClean(page, 'create group');
      await page.getByTestId('create-group-name').fill('Team 团队');
      await page.getByTestId('create-group-submit').click();
      await page.getByTestId('group-details').waitFor(WAIT);
      await expectClean(page, 'group details');
      await page.getByTestId('groups-find').click();
      await expectClean(page, 'find groups');
      await page.getByTestId('groups-requests').click();
      await expectClean(page, 'requests');

      await page.getByTestId('nav-settings').click();
      await page.getByTestId('settings-panel').waitFor(WAIT);
      await expectClean(page, 'settings');
      await page.getByTestId('settings-language').selectOption('zh-CN');
      await expect.poll(() => page.getByTestId('nav-chats').getAttribute('aria-label'), WAIT).toBe('聊天');
      await expectClean(page, 'settings in Chinese');
      await page.getByTestId('nav-chats').click();
      await expectClean(page, 'chats in Chinese');
      await page.context().close();
      await peer.context().close();
    }, 240_000);
  }
});
