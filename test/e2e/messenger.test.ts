/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, repoRoot, startWebApp, type WebApp, WAIT, type User, signIn, openChatWith, sendText, openPage, tearDown } from './support/web-app';

/**
 * The real UI in Debian's Chromium, served by the web shell (its own core and SQLite profile per
 * user), against a real server on loopback.
 */
const ARTIFACTS = join(repoRoot, 'test/e2e/artifacts');

describe('the Magpie app in a browser', () => {
  let server: TestServer;
  let serverPort: number;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let alice: User;
  let bob: User;
  let carol: User;
  let pageA: Page;
  let pageB: Page;
  let notifyFileB: string;

  async function openApp(name: string, notifyFile?: string): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${serverPort}`, profileDir: join(work, name), notifyFile });
    apps.push(app);
    const page = await openPage(browser, app.url);
    return page;
  }


  /** The page's window focus as the app sees it (headless pages are all "focused" otherwise). */
  async function setFocused(page: Page, focused: boolean): Promise<void> {
    await page.evaluate((f) => {
      document.hasFocus = () => f;
      window.dispatchEvent(new Event(f ? 'focus' : 'blur'));
    }, focused);
  }



  /** Visible controls with no accessible name (label, aria-label, title, text or placeholder). */
  function unnamedControls(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const unnamed: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [role="button"]')) {
        if ((el as HTMLInputElement).type === 'hidden' || el.closest('[aria-hidden="true"]')) continue;
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
        const labelledBy = el.getAttribute('aria-labelledby');
        const name =
          el.getAttribute('aria-label') ||
          (labelledBy ? labelledBy.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '') ||
          [...((el as HTMLInputElement).labels ?? [])].map((l) => l.textContent ?? '').join(' ') ||
          el.getAttribute('title') ||
          (['BUTTON', 'A'].includes(el.tagName) || el.getAttribute('role') === 'button' ? el.textContent ?? '' : '') ||
          el.getAttribute('placeholder') ||
          '';
        if (!name.trim()) unnamed.push(el.outerHTML.slice(0, 160));
      }
      return unnamed;
    });
  }

  function bubble(page: Page, text: string) {
    return page.getByTestId('message-bubble').filter({ hasText: text });
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    await mkdir(ARTIFACTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    serverPort = server.port;
    alice = server.createUser('alice');
    bob = server.createUser('bob');
    carol = server.createUser('carol');
    browser = await launchChromium();
    notifyFileB = join(work, 'notifications-bob.jsonl');
    pageA = await openApp('alice');
    pageB = await openApp('bob', notifyFileB);
    await signIn(pageA, server, alice);
    await signIn(pageB, server, bob);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  it('the login screen offers the sign-in methods with named controls, in English', async () => {
    const page = await openApp('login-check');
    await page.getByTestId('login-form').waitFor(WAIT);
    await page.screenshot({ path: join(ARTIFACTS, 'login-en.png') });
    expect(await unnamedControls(page)).toEqual([]);
    await page.getByTestId('login-auth-signed').check({ force: true });
    await page.getByTestId('login-timestamp').waitFor(WAIT);
    await page.getByTestId('login-app-id').fill(server.appId);
    await page.getByTestId('login-user').fill(alice.voipAccount);
    await page.getByTestId('login-secret').fill('00');
    await page.getByTestId('login-timestamp').fill(String(Date.now()));
    await page.getByTestId('login-submit').click();
    // a wrong signature is refused with its code, in words
    await expect.poll(() => page.getByTestId('login-error').textContent(), WAIT).toMatch(/520016|520005|520007/);
    await page.context().close();
  });

  it('two users chat both ways, with sent and read states', async () => {
    await openChatWith(pageA, bob.voipAccount);
    await sendText(pageA, 'Hello Bob 你好 👋');
    await expect.poll(() => bubble(pageA, 'Hello Bob').getAttribute('data-state'), WAIT).toMatch(/sent|read/);

    const fromAlice = pageB.locator(`[data-testid="conversation-item"][data-conversation="${alice.voipAccount}"]`);
    await fromAlice.waitFor(WAIT);
    await setFocused(pageB, true);
    await fromAlice.click();
    await bubble(pageB, 'Hello Bob 你好 👋').waitFor(WAIT);
    await sendText(pageB, 'Hi Alice, got it');
    await bubble(pageA, 'Hi Alice, got it').waitFor(WAIT);
    // Bob read it with the conversation open and focused: Alice's message turns read
    await expect.poll(() => bubble(pageA, 'Hello Bob').getAttribute('data-state'), WAIT).toBe('read');
    await pageA.screenshot({ path: join(ARTIFACTS, 'chat-en.png') });
    expect(await unnamedControls(pageA)).toEqual([]);
  });

  it("the composer's keys: Shift+Enter and Ctrl+Enter break the line, Enter sends; Esc closes the emoji picker back to the typing", async () => {
    await pageA.getByTestId('nav-chats').click();
    await openChatWith(pageA, bob.voipAccount);
    const input = pageA.getByTestId('composer-input');
    await input.fill('first');
    await input.press('Shift+Enter');
    await input.pressSequentially('second');
    // Ctrl+Enter, a common new-line key: a textarea does nothing with it by itself
    await input.press('Control+Enter');
    await input.pressSequentially('third');
    expect(await input.inputValue()).toBe('first\nsecond\nthird');

    await pageA.getByTestId('emoji-button').click();
    await pageA.getByTestId('emoji-picker').waitFor(WAIT);
    await pageA.keyboard.press('Escape');
    await pageA.getByTestId('emoji-picker').waitFor({ state: 'detached', ...WAIT });
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
    await pageA.keyboard.type(' end');
    await pageA.keyboard.press('Enter');
    await expect.poll(() => bubble(pageA, 'third end').getByTestId('message-text').textContent(), WAIT).toBe('first\nsecond\nthird end');
  });

  it('Esc gives the focus back to what opened a menu or a dialog', async () => {
    await pageA.getByTestId('nav-chats').click();
    await openChatWith(pageA, bob.voipAccount);
    await sendText(pageA, 'a message to open a menu on');
    const mine = bubble(pageA, 'a message to open a menu on');
    await mine.waitFor(WAIT);
    await mine.focus();
    await pageA.keyboard.press('Shift+F10');
    await pageA.getByRole('menu').waitFor(WAIT);
    await pageA.keyboard.press('Escape');
    await pageA.getByRole('menu').waitFor({ state: 'detached', ...WAIT });
    expect(await mine.evaluate((el) => el === document.activeElement)).toBe(true);

    const searchButton = pageA.getByTestId('nav-search');
    await searchButton.focus();
    await searchButton.press('Enter');
    await pageA.getByTestId('search-input').waitFor(WAIT);
    await pageA.keyboard.press('Escape');
    await pageA.getByTestId('search-input').waitFor({ state: 'detached', ...WAIT });
    expect(await searchButton.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('a message for a background window raises a notification through the notifier', async () => {
    await setFocused(pageB, false);
    await sendText(pageA, 'Are you there?');
    await expect
      .poll(async () => (await readFile(notifyFileB, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { body: string; conversation: string }), WAIT)
      .toContainEqual(expect.objectContaining({ conversation: alice.voipAccount, body: expect.stringContaining('Are you there?') }));
    await setFocused(pageB, true);
  });

  it('a group is created, a member invited, and messages flow', async () => {
    await pageA.getByTestId('nav-groups').click();
    await pageA.getByTestId('groups-create').click();
    await pageA.getByTestId('create-group-name').fill('Team 团队');
    await pageA.getByTestId('create-group-submit').click();
    const details = pageA.getByTestId('group-details');
    await details.waitFor(WAIT);
    const groupId = await details.getAttribute('data-group');
    expect(groupId).toMatch(/^g/);
    await pageA.getByTestId('group-invite').click();
    await pageA.getByTestId('invite-users').fill(bob.voipAccount);
    await pageA.getByTestId('invite-send').click();
    await pageA.locator(`[data-testid="member-row"][data-user="${bob.voipAccount}"]`).waitFor(WAIT);
    await pageA.screenshot({ path: join(ARTIFACTS, 'group-en.png') });

    await pageA.getByTestId('group-open-chat').click();
    await sendText(pageA, 'Welcome to the team');
    const groupItem = pageB.locator(`[data-testid="conversation-item"][data-conversation="${groupId}"]`);
    await groupItem.waitFor(WAIT);
    await groupItem.click();
    await bubble(pageB, 'Welcome to the team').waitFor(WAIT);
    await sendText(pageB, 'Thanks 谢谢');
    await bubble(pageA, 'Thanks 谢谢').waitFor(WAIT);
  });

  it('an offline user gets what was missed on sign-in, in order', async () => {
    await pageA.getByTestId('nav-chats').click();
    await openChatWith(pageA, carol.voipAccount);
    for (const text of ['missed one', 'missed two', 'missed three']) await sendText(pageA, text);
    await expect.poll(() => bubble(pageA, 'missed three').getAttribute('data-state'), WAIT).toBe('sent');

    const pageC = await openApp('carol');
    await signIn(pageC, server, carol);
    await pageC.locator(`[data-testid="conversation-item"][data-conversation="${alice.voipAccount}"]`).click(WAIT);
    await bubble(pageC, 'missed three').waitFor(WAIT);
    const texts = await pageC.getByTestId('message-text').allTextContents();
    expect(texts.filter((t) => t.startsWith('missed'))).toEqual(['missed one', 'missed two', 'missed three']);
  });

  it('a chat deleted on this device leaves the list and stays gone after a reload', async () => {
    await pageA.getByTestId('nav-chats').click();
    const item = pageA.locator(`[data-testid="conversation-item"][data-conversation="${carol.voipAccount}"]`);
    await item.click({ button: 'right' });
    await pageA.getByTestId('conversation-delete').click();
    await pageA.getByTestId('confirm-yes').click();
    await expect.poll(() => item.count(), WAIT).toBe(0);
    await pageA.reload();
    await pageA.getByTestId('conversation-list').waitFor(WAIT);
    await pageA.locator(`[data-testid="conversation-item"][data-conversation="${bob.voipAccount}"]`).waitFor(WAIT);
    expect(await item.count()).toBe(0);
  });

  it('the search dialog reopens with its last query selected, so typing replaces it', async () => {
    await pageA.getByTestId('nav-search').click();
    const input = pageA.getByTestId('search-input');
    await input.fill('Budget');
    // the query is kept once its search ran (after the typing pause)
    await pageA.waitForTimeout(600);
    await pageA.keyboard.press('Escape');
    await input.waitFor({ state: 'detached', ...WAIT });

    await pageA.getByTestId('nav-search').click();
    await input.waitFor(WAIT);
    expect(await input.inputValue()).toBe('Budget');
    expect(await input.evaluate((el: HTMLInputElement) => [el === document.activeElement, el.selectionStart, el.selectionEnd])).toEqual([true, 0, 6]);
    await pageA.keyboard.type('zzz');
    expect(await input.inputValue()).toBe('zzz');
    await pageA.keyboard.press('Escape');
    await input.waitFor({ state: 'detached', ...WAIT });
  });

  it('with the server stopped, history and search still work and a message waits as sending', async () => {
    await server.stop({ keepData: true });
    await expect.poll(() => pageA.getByTestId('connection-banner').getAttribute('data-state'), WAIT).toMatch(/reconnecting|connecting|offline/);

    await pageA.getByTestId('nav-chats').click();
    await openChatWith(pageA, bob.voipAccount);
    await bubble(pageA, 'Hello Bob 你好 👋').waitFor(WAIT);
    await pageA.keyboard.press('Control+k');
    await pageA.getByTestId('search-input').fill('你好');
    await pageA.getByTestId('search-hit').first().waitFor(WAIT);
    await pageA.keyboard.press('Escape');

    await sendText(pageA, 'sent while the server is down');
    await expect.poll(() => bubble(pageA, 'sent while the server is down').getAttribute('data-state'), WAIT).toBe('sending');
    await pageA.screenshot({ path: join(ARTIFACTS, 'offline-en.png') });

    server = await startTestServer({ dataDir: join(work, 'server'), port: serverPort });
    // the engine reconnects on its own backoff (at most a minute apart on the desktop)
    await expect
      .poll(() => bubble(pageA, 'sent while the server is down').getAttribute('data-state'), { timeout: 75_000 })
      .toMatch(/sent|read/);
    await pageB.locator(`[data-testid="conversation-item"][data-conversation="${alice.voipAccount}"]`).click();
    await bubble(pageB, 'sent while the server is down').waitFor({ timeout: 75_000 });
  }, 120_000);

  it('speaks Chinese: the main screens in zh-CN', async () => {
    await pageA.getByTestId('nav-settings').click();
    await pageA.getByTestId('settings-language').selectOption('zh-CN');
    await expect.poll(() => pageA.getByTestId('nav-chats').getAttribute('aria-label'), WAIT).toBe('聊天');
    await pageA.screenshot({ path: join(ARTIFACTS, 'settings-zh-CN.png') });
    expect(await unnamedControls(pageA)).toEqual([]);
    await pageA.getByTestId('nav-chats').click();
    await openChatWith(pageA, bob.voipAccount);
    await pageA.screenshot({ path: join(ARTIFACTS, 'chat-zh-CN.png') });
    expect(await unnamedControls(pageA)).toEqual([]);
    await pageA.getByTestId('nav-groups').click();
    await pageA.screenshot({ path: join(ARTIFACTS, 'groups-zh-CN.png') });
    expect(await unnamedControls(pageA)).toEqual([]);
  });
});
