import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';

/** Save with a nickname of spaces alone did nothing and said nothing: it now says why, in both languages. */
describe('a nickname of only spaces in Settings', () => {
  const world = signedInWorld({ name: 'e2e-blank-nickname', users: ['ann'], viewer: 'ann' });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  it('is not saved, and the field says why until it is edited', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    const field = page.getByTestId('settings-nickname');
    const status = page.getByTestId('settings-nickname-status');
    await field.fill('   ');
    await page.getByTestId('settings-nickname-save').click();
    await expect.poll(() => status.textContent(), WAIT).toContain('Enter a nickname: it cannot be empty or only spaces');
    expect(await status.getAttribute('data-state')).toBe('failed');
    expect(await status.getAttribute('role')).toBe('alert');
    expect(await field.getAttribute('aria-invalid')).toBe('true');

    await field.fill('Ann A.');
    await expect.poll(async () => (await status.textContent())?.trim(), WAIT).toBe('');
    await page.getByTestId('settings-nickname-save').click();
    await expect.poll(() => status.textContent(), WAIT).toContain('Nickname saved');

    await page.getByTestId('settings-language').selectOption('zh-CN');
    await field.fill('');
    await page.getByTestId('settings-nickname-save').click();
    await expect.poll(() => status.textContent(), WAIT).toContain('请输入昵称：不能为空或只有空格');
  }, 60_000);
});
