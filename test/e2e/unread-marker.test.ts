/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { openChatWith, repoRoot, WAIT } from './support/web-app';
import type { Account } from './support/wire-users';
import type { TestClient } from '../support/test-client';

const ARTIFACTS = join(repoRoot, 'test/e2e/artifacts');

/**
 * Opening a chat with unread messages shows where they start: a "N new messages" line above the
 * first, a button at the top that goes there when it is out of sight (older pages loaded as
 * needed), and "Jump to latest" counts what came in below a reader scrolled up.
 */
describe('the unread line', () => {
  const world = signedInWorld({ name: 'unread-line', users: ['ann', 'bob', 'cat', 'dan'], viewer: 'bob' });
  let ann: Account;
  let bob: Account;
  let cat: Account;
  let page: Page;
  let annWire: TestClient;

  const item = (id: string) => page.locator(`[data-testid="conversation-item"][data-conversation="${id}"]`);
  const bubble = (text: string) => page.getByTestId('message-bubble').filter({ has: page.getByText(text, { exact: true }) });
  const marker = () => page.getByTestId('unread-marker');
  /** The line sits right above the bubble: nothing between them. */
  const rightAbove = (text: string) =>
    Promise.all([marker().boundingBox(), bubble(text).boundingBox()]).then(([line, first]) => !!line && !!first && first.y - (line.y + line.height) >= -1 && first.y - (line.y + line.height) < 16);
  /** The element is wholly inside the list's view. */
  const inView = (testid: string) =>
    page.getByTestId(testid).evaluate((el) => {
      const list = el.closest('[data-testid="message-list"]')!.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.top >= list.top - 1 && r.bottom <= list.bottom + 1;
    });

  async function send(wire: TestClient, texts: readonly string[]): Promise<void> {
    for (const text of texts) await world.wires.sendText(wire, bob.voipAccount, text);
  }
  const lines = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}`);

  beforeAll(async () => {
    ({ page } = world);
    ann = world.user('ann');
    bob = world.user('bob');
    cat = world.user('cat');
    annWire = await world.wires.connect(ann);
    // bob has read ann's first lines: only what comes next is new
    await send(annWire, lines('seen', 1, 5));
    await item(ann.voipAccount).click(WAIT);
    await bubble('seen 5').waitFor(WAIT);
    await item(ann.voipAccount).and(page.locator('[data-unread="0"]')).waitFor(WAIT);
    await send(await world.wires.connect(world.user('dan')), ['hello from dan']);
    await item(world.user('dan').voipAccount).click(WAIT);
  }, 120_000);

  it('marks the first of a few new messages; it stays while the chat is open and is gone when it is opened again', async () => {
    await send(annWire, lines('fresh', 1, 3));
    await expect.poll(() => item(ann.voipAccount).getAttribute('data-unread'), WAIT).toBe('3');
    await openChatWith(page, ann.voipAccount);
    await expect.poll(() => marker().textContent(), WAIT).toContain('3 new messages');
    await expect.poll(() => rightAbove('fresh 1'), WAIT).toBe(true);
    // all three fit on the screen: no button to go up to them
    expect(await page.getByTestId('unread-jump').count()).toBe(0);

    // one coming in while the chat is open is read as it comes: the line stays where it was
    await send(annWire, ['fresh 4']);
    await bubble('fresh 4').waitFor(WAIT);
    await page.waitForTimeout(300);
    expect(await marker().count()).toBe(1);
    expect(await marker().textContent()).toContain('3 new messages');
    expect(await rightAbove('fresh 1')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'unread-line-en.png') });

    await openChatWith(page, world.user('dan').voipAccount);
    await openChatWith(page, ann.voipAccount);
    await bubble('fresh 4').waitFor(WAIT);
    expect(await marker().count()).toBe(0);
  }, 60_000);

  it('a button at the top goes to the first of many new messages, loading older pages; "Jump to latest" counts what arrives below', async () => {
    await openChatWith(page, world.user('dan').voipAccount);
    await send(annWire, lines('many', 1, 120));
    await expect.poll(() => item(ann.voipAccount).getAttribute('data-unread'), WAIT).toBe('120');
    await page.setViewportSize({ width: 800, height: 600 });
    await openChatWith(page, ann.voipAccount);
    await bubble('many 120').waitFor(WAIT);
    const jump = page.getByTestId('unread-jump');
    await expect.poll(() => jump.textContent(), WAIT).toContain('↑ 120 new messages');
    expect(await jump.getAttribute('aria-label')).toBe('Go to the first of 120 new messages');
    await page.screenshot({ path: join(ARTIFACTS, 'unread-jump-en-800.png') });

    // by keyboard: the button takes the focus and Enter presses it
    await jump.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => inView('unread-marker'), WAIT).toBe(true);
    await expect.poll(() => rightAbove('many 1'), WAIT).toBe(true);
    expect(await marker().textContent()).toContain('120 new messages');
    await expect.poll(() => jump.count(), WAIT).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('unread-marker');
    await page.screenshot({ path: join(ARTIFACTS, 'unread-line-en-800.png') });

    // read up there, two more come in below: "Jump to latest" says so, and goes there
    await send(annWire, ['below 1', 'below 2']);
    const latest = page.getByTestId('jump-latest');
    await expect.poll(() => latest.textContent(), WAIT).toContain('↓ 2 new messages');
    expect(await latest.getAttribute('aria-label')).toBe('Jump to latest: 2 new messages');
    await latest.click();
    await expect.poll(() => bubble('below 2').count(), WAIT).toBe(1);
    await expect.poll(() => latest.count(), WAIT).toBe(0);
    // scrolled up again, the count starts from nothing
    await page.getByTestId('message-list').hover();
    await page.mouse.wheel(0, -2000);
    await expect.poll(() => latest.textContent(), WAIT).toContain('Jump to latest');
    expect(await latest.textContent()).not.toContain('new message');
    await page.setViewportSize({ width: 1200, height: 760 });
  }, 90_000);

  it('speaks Chinese: "以下 N 条为新消息" and "N 条新消息"', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.getByTestId('nav-chats').click();
    await openChatWith(page, world.user('dan').voipAccount);
    const catWire = await world.wires.connect(cat);
    await send(catWire, lines('猫的消息', 1, 60));
    await expect.poll(() => item(cat.voipAccount).getAttribute('data-unread'), WAIT).toBe('60');
    await openChatWith(page, cat.voipAccount);
    const jump = page.getByTestId('unread-jump');
    await expect.poll(() => jump.textContent(), WAIT).toContain('↑ 60 条新消息');
    expect(await jump.getAttribute('aria-label')).toBe('跳到第一条新消息（共 60 条）');
    await page.screenshot({ path: join(ARTIFACTS, 'unread-jump-zh-CN.png') });
    await jump.click();
    await expect.poll(() => inView('unread-marker'), WAIT).toBe(true);
    expect(await marker().textContent()).toContain('以下 60 条为新消息');
    await expect.poll(() => rightAbove('猫的消息 1'), WAIT).toBe(true);
    await send(catWire, ['又一条']);
    await expect.poll(() => page.getByTestId('jump-latest').textContent(), WAIT).toContain('↓ 1 条新消息');
    await page.setViewportSize({ width: 800, height: 600 });
    await page.screenshot({ path: join(ARTIFACTS, 'unread-line-zh-CN-800.png') });
    await page.setViewportSize({ width: 1200, height: 760 });
  }, 90_000);
});
