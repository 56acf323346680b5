/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';

/**
 * English text draws its quotes and punctuation from the system's UI font, narrow, not from a CJK
 * font full-width (Noto Sans CJK on Linux); Chinese text keeps the CJK fonts first, so its “”
 * stand full-width as Chinese typography wants
 * (on a machine without Noto Sans CJK, the Chinese quotes' width is not checked).
 */
describe('the text fonts', () => {
  const world = signedInWorld({ name: 'fonts', users: ['ann'], viewer: 'ann' });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  /** The width of a text in the body's font, relative to the font size. */
  const emWidth = (text: string) =>
    page.evaluate((t) => {
      const span = document.createElement('span');
      span.textContent = t;
      document.body.appendChild(span);
      const width = span.getBoundingClientRect().width / parseFloat(getComputedStyle(span).fontSize);
      span.remove();
      return width;
    }, text);
  const stack = () => page.evaluate(() => getComputedStyle(document.body).fontFamily.split(',').map((f) => f.trim().replace(/^["']|["']$/g, '')));

  it('English takes the system UI font first; Chinese the CJK fonts, with full-width quotes', async () => {
    await page.getByTestId('nav-chats').waitFor(WAIT);
    const en = await stack();
    expect(en.indexOf('system-ui')).toBeLessThan(en.indexOf('Noto Sans CJK SC'));
    // English curly quotes: narrow, not a CJK font's full em each
    for (const mark of ['“', '”', '‘', '’']) expect(await emWidth(mark), mark).toBeLessThan(0.6);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang), WAIT).toBe('zh-CN');
    const zh = await stack();
    expect(zh.indexOf('Noto Sans CJK SC')).toBeLessThan(zh.indexOf('system-ui'));
    // on a machine with a CJK font, Chinese text's quotes are full-width
    const hasCjk = await page.evaluate(() => document.fonts.check('14px "Noto Sans CJK SC"', '中'));
    if (hasCjk) for (const mark of ['“', '”']) expect(await emWidth(mark), mark).toBeGreaterThan(0.9);
    // the Chinese text itself, full-width in either order
    expect(await emWidth('中')).toBeGreaterThan(0.9);
  }, 60_000);
});
