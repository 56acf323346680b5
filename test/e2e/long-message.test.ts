/// <reference lib="dom" />
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { openChatWith, WAIT } from './support/web-app';

/** Nearly 5 000 characters, the most a text may hold: words in lines, markup that must stay text, a link at the end. */
function longText(): string {
  const lines: string[] = ['<b>not bold</b> <img src=x onerror="document.title=\'hacked\'">'];
  for (let i = 1; lines.join('\n').length < 4_900; i++) lines.push(`line ${i}: the quick brown fox jumps over the lazy dog, again and again`);
  lines.push('the end: https://example.com/end');
  return lines.join('\n');
}

/**
 * A long text does not fill screen after screen of the chat: its bubble stops at 20 lines with a
 * "Show more" that opens it where it is, the reader's place kept, and "Show less" that closes it.
 */
describe('a long message', () => {
  const world = signedInWorld({ name: 'long-message', users: ['ann', 'bob'], viewer: 'ann' });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  const lineHeight = (text: Locator) => text.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
  const top = async (locator: Locator) => (await locator.boundingBox())!.y;

  it('is cut at 20 lines, opens and closes in place by keyboard, in English and in Chinese, and stays text', async () => {
    const wire = await world.wires.connect(world.user('bob'));
    const bob = world.user('bob').voipAccount;
    await world.wires.sendText(wire, world.user('ann').voipAccount, 'a short one first');
    await world.wires.sendText(wire, world.user('ann').voipAccount, longText());
    await page.locator(`[data-testid="conversation-item"][data-conversation="${bob}"]`).waitFor(WAIT);
    await openChatWith(page, bob);

    const bubbles = page.getByTestId('message-bubble');
    await expect.poll(() => bubbles.count(), WAIT).toBe(2);
    const short = bubbles.nth(0);
    const long = bubbles.nth(1);
    // a short text has nothing to open
    expect(await short.getByTestId('message-expand').count()).toBe(0);

    const text = long.getByTestId('message-text');
    const toggle = long.getByTestId('message-expand');
    await toggle.waitFor(WAIT);
    const line = await lineHeight(text);
    const collapsed = (await text.boundingBox())!.height;
    expect(collapsed).toBeGreaterThan(19 * line);
    expect(collapsed).toBeLessThan(21 * line);
    expect(await toggle.innerText()).toBe('Show more');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    // the markup is drawn as the characters it is made of
    expect(await text.locator('b, img').count()).toBe(0);
    expect(await text.innerText()).toContain('<b>not bold</b>');

    // the link in the hidden part is out of the Tab order while it is hidden
    const hiddenLink = text.getByTestId('message-link');
    expect(await hiddenLink.getAttribute('tabindex')).toBe('-1');

    // from the bubble, Tab reaches the control; Enter opens the text where it is
    await long.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('message-expand');
    const bubbleTop = await top(long);
    await page.keyboard.press('Enter');
    await expect.poll(() => toggle.getAttribute('aria-expanded'), WAIT).toBe('true');
    expect(await toggle.innerText()).toBe('Show less');
    const expanded = (await text.boundingBox())!.height;
    expect(expanded).toBeGreaterThan(40 * line);
    // the reader's place is kept: the text goes on below where it was cut, the bubble has not moved
    // (the list, which was at its end, does not follow the end down the grown bubble)
    await page.waitForTimeout(300);
    expect(Math.abs((await top(long)) - bubbleTop)).toBeLessThanOrEqual(2);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('message-expand');
    expect(await hiddenLink.getAttribute('tabindex')).toBeNull();

    // at the bottom of the open text, Show less closes it with its control where it was
    await toggle.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    const toggleTop = await top(toggle);
    await toggle.press('Enter');
    await expect.poll(() => toggle.getAttribute('aria-expanded'), WAIT).toBe('false');
    await page.waitForTimeout(300);
    expect(Math.abs((await top(toggle)) - toggleTop)).toBeLessThanOrEqual(2);
    expect((await text.boundingBox())!.height).toBeLessThan(21 * line);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('message-expand');

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.getByTestId('nav-chats').click();
    await toggle.waitFor(WAIT);
    expect(await toggle.innerText()).toBe('展开全文');
    await toggle.click();
    await expect.poll(() => toggle.innerText(), WAIT).toBe('收起');
    expect(await page.title()).not.toBe('hacked');
  }, 90_000);
});
