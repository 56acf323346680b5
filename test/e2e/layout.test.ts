/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, type User, signIn, openPage, tearDown, openChatWith, sendText } from './support/web-app';

/** How the main screen fits the window the browser version is given: a browser tab has no minimum size. */
describe('the main screen in a narrow window', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let alice: User;
  let bob: User;
  let pageAlice: Page;

  async function openApp(name: string, user: User, viewport: { width: number; height: number }): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, name) });
    apps.push(app);
    const page = await openPage(browser, app.url, { viewport });
    await signIn(page, server, user);
    return page;
  }

  /** Whether an element is wholly inside the window. */
  async function inWindow(locator: Locator): Promise<boolean> {
    return locator.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
    });
  }

  /** Elements inside the main layout that scroll sideways (or the page itself): a narrow screen must have none. */
  async function sidewaysScrollers(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const found: string[] = [];
      if (document.documentElement.scrollWidth > innerWidth) found.push('document');
      for (const el of document.querySelectorAll<HTMLElement>('.layout, .layout *')) {
        const overflowX = getComputedStyle(el).overflowX;
        if ((overflowX === 'auto' || overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) found.push(`${el.tagName.toLowerCase()}.${el.className}`);
      }
      return found;
    });
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-layout-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    bob = server.createUser('bob');
    browser = await launchChromium();
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  it('at 400×700 shows the list or the open chat, with its composer and bubbles whole, and a way back', async () => {
    const pageA = await openApp('alice', alice, { width: 1200, height: 760 });
    const pageB = await openApp('bob', bob, { width: 400, height: 700 });
    // a new user's empty list says how to start at its top, under the filter, not at the window's bottom
    const empty = pageB.getByTestId('conversation-empty');
    await empty.waitFor(WAIT);
    expect((await empty.boundingBox())!.y).toBeLessThan(150);
    await openChatWith(pageA, bob.voipAccount);
    const long = 'A longer message that needs several lines in a narrow window, and must still be read whole: nothing clipped at either side.';
    await sendText(pageA, long);

    // the list alone, the whole width beside the rail; the chat is not open, so nothing is read yet
    const row = pageB.locator(`[data-testid="conversation-item"][data-conversation="${alice.voipAccount}"]`);
    await row.waitFor(WAIT);
    expect(await pageB.getByTestId('chat-empty').count()).toBe(0);
    expect(await row.getAttribute('data-unread')).toBe('1');
    expect(await inWindow(row)).toBe(true);

    await row.click();
    const bubble = pageB.getByTestId('message-bubble').filter({ hasText: long });
    await bubble.waitFor(WAIT);
    expect(await pageB.getByTestId('conversation-list').count()).toBe(0);
    // MAGPIE_SHOTS=<folder> keeps the screenshot for a look
    await pageB.screenshot({ path: process.env['MAGPIE_SHOTS'] ? join(process.env['MAGPIE_SHOTS'], 'narrow-chat.png') : join(work, 'narrow-chat.png') });
    expect(await inWindow(bubble)).toBe(true);
    // one character per line would make it far taller than wide
    const box = (await bubble.boundingBox())!;
    expect(box.width).toBeGreaterThan(150);
    expect(await inWindow(pageB.getByTestId('composer-input'))).toBe(true);
    for (const tool of await pageB.locator('.composer .tools button').all()) expect(await inWindow(tool)).toBe(true);
    expect(await inWindow(pageB.getByRole('button', { name: 'Send', exact: true }))).toBe(true);

    await pageB.getByTestId('chat-back').click();
    await row.waitFor(WAIT);
    expect(await row.getAttribute('data-unread')).toBe('0');
    expect(await pageB.getByTestId('chat-pane').count()).toBe(0);
    pageAlice = pageA;
  }, 90_000);

  it('a search jump in a short chat offers no "Jump to latest": nothing is below', async () => {
    await pageAlice.getByTestId('nav-search').click();
    await pageAlice.getByTestId('search-input').fill('clipped');
    await pageAlice.getByTestId('search-hit').first().click();
    await pageAlice.getByTestId('message-bubble').filter({ hasText: 'nothing clipped' }).waitFor(WAIT);
    await pageAlice.waitForTimeout(500);
    expect(await pageAlice.getByTestId('jump-latest').count()).toBe(0);
  }, 60_000);

  it("at 800×600 a group's details cover the chat instead of squeezing it, and its toggle in the header closes them", async () => {
    await pageAlice.setViewportSize({ width: 800, height: 600 });
    await pageAlice.getByTestId('nav-groups').click();
    await pageAlice.getByTestId('groups-create').click();
    await pageAlice.getByTestId('create-group-name').fill('Narrow room');
    await pageAlice.getByTestId('create-group-members').fill(bob.voipAccount);
    await pageAlice.getByTestId('create-group-submit').click();
    await pageAlice.getByTestId('group-open-chat').click();
    await sendText(pageAlice, 'A message in a group whose details are open beside it');
    const bubble = pageAlice.getByTestId('message-bubble').filter({ hasText: 'details are open' });
    await bubble.waitFor(WAIT);
    const toggle = pageAlice.getByTestId('group-info-toggle');
    await toggle.click();
    const details = pageAlice.getByRole('complementary', { name: 'Group details' });
    await details.waitFor(WAIT);
    // squeezed beside them, the chat was 150px wide and its bubbles one word a line
    expect((await pageAlice.getByTestId('message-list').boundingBox())!.width).toBeGreaterThan(400);
    expect((await bubble.boundingBox())!.height).toBeLessThan(80);
    expect(await inWindow(details)).toBe(true);
    expect(await inWindow(toggle)).toBe(true);
    await toggle.click();
    await details.waitFor({ state: 'detached', ...WAIT });
  }, 60_000);

  it('at 420×700 Groups shows the list or one pane over the whole width, with a way back, and nothing scrolls sideways', async () => {
    await pageAlice.setViewportSize({ width: 420, height: 700 });
    await pageAlice.getByTestId('nav-groups').click();
    const list = pageAlice.getByTestId('my-groups');
    const row = list.getByTestId('group-item').filter({ hasText: 'Narrow room' });
    await row.waitFor(WAIT);
    // the list alone: no squeezed pane beside it
    expect(await pageAlice.getByTestId('groups-content').count()).toBe(0);
    expect(await inWindow(row)).toBe(true);
    expect(await sidewaysScrollers(pageAlice)).toEqual([]);

    // the create form over the whole width, its labels and radio buttons whole
    await pageAlice.getByTestId('groups-create').click();
    const form = pageAlice.getByTestId('create-group-form');
    await form.waitFor(WAIT);
    expect(await list.count()).toBe(0);
    for (const mode of ['public', 'approval', 'private']) {
      const radio = pageAlice.getByTestId(`create-group-mode-${mode}`);
      expect(await inWindow(radio)).toBe(true);
      expect(await inWindow(radio.locator('xpath=..'))).toBe(true);
    }
    expect(await inWindow(pageAlice.getByTestId('create-group-name'))).toBe(true);
    expect(await sidewaysScrollers(pageAlice)).toEqual([]);
    await pageAlice.getByTestId('groups-back').click();
    await row.waitFor(WAIT);

    // a group's details take the width beside the rail; the name reads on one line, not a character a line
    await row.click();
    const details = pageAlice.getByTestId('group-details');
    await details.waitFor(WAIT);
    await pageAlice.screenshot({ path: join(process.env['MAGPIE_SHOTS'] ?? work, 'narrow-groups.png') });
    const rail = (await pageAlice.getByTestId('nav-groups').boundingBox())!;
    const pane = (await pageAlice.getByTestId('groups-content').boundingBox())!;
    expect(pane.x).toBeLessThan(rail.x + rail.width + 80);
    expect(pane.x + pane.width).toBeGreaterThan(415);
    const name = (await details.getByRole('heading', { name: 'Narrow room' }).boundingBox())!;
    expect(name.height).toBeLessThan(40);
    expect(await inWindow(pageAlice.getByTestId('group-open-chat'))).toBe(true);
    expect(await sidewaysScrollers(pageAlice)).toEqual([]);
    await pageAlice.getByTestId('groups-back').click();
    await row.waitFor(WAIT);
    expect(await pageAlice.getByTestId('group-details').count()).toBe(0);
  }, 60_000);
  it('at 360×700 Settings shows every field and button whole, each Save beside or under its field', async () => {
    await pageAlice.setViewportSize({ width: 360, height: 700 });
    await pageAlice.getByTestId('nav-settings').click();
    const panel = pageAlice.getByTestId('settings-panel');
    await panel.waitFor(WAIT);
    for (const id of ['settings-nickname', 'settings-nickname-save', 'settings-servers', 'settings-servers-save', 'settings-logout', 'settings-logout-forget']) {
      const part = pageAlice.getByTestId(id);
      await part.scrollIntoViewIfNeeded();
      expect(await inWindow(part), id).toBe(true);
    }
    expect(await sidewaysScrollers(pageAlice)).toEqual([]);
    await pageAlice.getByTestId('nav-chats').click();
  }, 60_000);
});
