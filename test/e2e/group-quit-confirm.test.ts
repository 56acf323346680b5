/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { repoRoot, WAIT } from './support/web-app';

const ARTIFACTS = join(repoRoot, 'test/e2e/artifacts');

/** Leaving asks about the group by name, as dismissing does: the panel may be one of several open. */
describe('the leave question', () => {
  const world = signedInWorld({ name: 'quit-confirm', users: ['ann', 'bob'], viewer: 'bob' });
  let page: Page;
  let groupId: string;

  beforeAll(async () => {
    ({ page } = world);
    const annWire = await world.wires.connect(world.user('ann'));
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Book club', mode: pb.GroupMode.PUBLIC, members: [world.user('bob').voipAccount] } } }, 'GROUP_RESULT');
    groupId = (created.result.value as pb.GroupInfo).groupId;
  });

  async function askToLeave(): Promise<string> {
    await page.getByTestId('nav-groups').click();
    await page.locator(`[data-testid="group-item"][data-group="${groupId}"]`).click(WAIT);
    await page.getByTestId('group-quit').click(WAIT);
    return (await page.getByTestId('confirm-dialog').locator('p').textContent(WAIT)) ?? '';
  }

  it('names the group in English and in Chinese, and Cancel keeps it', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    expect(await askToLeave()).toMatch(/^Leave "Book club"\? /);
    await page.screenshot({ path: join(ARTIFACTS, 'quit-confirm-en.png') });
    await page.getByTestId('confirm-no').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached', ...WAIT });

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    expect(await askToLeave()).toMatch(/^确定退出“Book club”吗？/);
    await page.screenshot({ path: join(ARTIFACTS, 'quit-confirm-zh-CN.png') });
    expect(await page.getByTestId('confirm-dialog').locator('p').locator('bdi').textContent()).toBe('Book club');
    await page.getByTestId('confirm-no').click();
    await expect.poll(() => page.locator(`[data-testid="group-item"][data-group="${groupId}"]`).count(), WAIT).toBe(1);
  }, 60_000);
});
