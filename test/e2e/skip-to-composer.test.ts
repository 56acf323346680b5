/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';

/**
 * From the top of the window one Tab reaches "Skip to message box", and Enter puts the caret in
 * the open chat's message box, instead of a Tab through the rail, the list and the chat's tools;
 * the Tab after the link goes on in the page's order (the rail first).
 */
describe('the keyboard path to the message box', () => {
  const world = signedInWorld({ name: 'skip-link', users: ['ann', 'bob'], viewer: 'ann' });
  let page: Page;

  beforeAll(async () => {
    ({ page } = world);
    const bobWire = await world.wires.connect(world.user('bob'));
    await world.wires.sendText(bobWire, world.user('ann').voipAccount, 'hello ann');
  });

  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? '');
  /** Focus back at the top of the document, as when the window is first focused (a stop before everything, outside the Tab order). */
  const fromTop = () =>
    page.evaluate(() => {
      document.getElementById('top-of-window')?.remove();
      const top = Object.assign(document.createElement('div'), { id: 'top-of-window', tabIndex: -1 });
      document.body.prepend(top);
      top.focus();
    });

  async function skipToComposer(label: string, text: string): Promise<void> {
    await fromTop();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('skip-to-composer');
    const link = page.getByTestId('skip-to-composer');
    expect(await link.textContent()).toBe(label);
    // shown once focused, inside the window
    expect((await link.boundingBox())?.y ?? -1).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await focused()).toBe('composer-input');
    await page.keyboard.type(text);
    expect(await page.getByTestId('composer-input').inputValue()).toBe(text);
    await page.getByTestId('composer-input').fill('');
  }

  it('one Tab and Enter reach the message box, in English and in Chinese', async () => {
    await page.locator(`[data-testid="conversation-item"][data-conversation="${world.user('bob').voipAccount}"]`).click(WAIT);
    await page.getByTestId('composer-input').waitFor(WAIT);
    await skipToComposer('Skip to message box', 'hi bob');

    // the next stop after the link is the page's first, not somewhere in the middle
    await fromTop();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('.rail'))).toBe(true);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.getByTestId('nav-chats').click();
    await page.locator(`[data-testid="conversation-item"][data-conversation="${world.user('bob').voipAccount}"]`).click(WAIT);
    await skipToComposer('跳到消息输入框', '你好');
  }, 60_000);
});
