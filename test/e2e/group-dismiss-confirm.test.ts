/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { repoRoot, WAIT } from './support/web-app';

const ARTIFACTS = join(repoRoot, 'test/e2e/artifacts');

/** Dismissing is final: its question names the group, so the owner knows which one goes. */
describe('the dismiss question', () => {
  const world = signedInWorld({ name: 'dismiss-confirm', users: ['ann', 'bob'], viewer: 'ann' });
  let page: Page;
  let groupId: string;

  beforeAll(async () => {
    ({ page } = world);
    const annWire = await world.wires.connect(world.user('ann'));
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Weekend hike', mode: pb.GroupMode.PUBLIC, members: [world.user('bob').voipAccount] } } }, 'GROUP_RESULT');
    groupId = (created.result.value as pb.GroupInfo).groupId;
  });

  async function askToDismiss(): Promise<string> {
    await page.getByTestId('nav-groups').click();
    await page.locator(`[data-testid="group-item"][data-group="${groupId}"]`).click(WAIT);
    await page.getByTestId('group-dismiss').click(WAIT);
    return (await page.getByTestId('confirm-dialog').locator('p').textContent(WAIT)) ?? '';
  }

  it('names the group in English and in Chinese, and Cancel keeps it', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    expect(await askToDismiss()).toMatch(/^Dismiss "Weekend hike"\? .*history stays readable/);
    await page.screenshot({ path: join(ARTIFACTS, 'dismiss-confirm-en.png') });
    await page.getByTestId('confirm-no').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached', ...WAIT });

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.setViewportSize({ width: 1200, height: 760 });
    expect(await askToDismiss()).toMatch(/^确定解散“Weekend hike”吗？.*聊天记录仍可查看。$/);
    await page.screenshot({ path: join(ARTIFACTS, 'dismiss-confirm-zh-CN.png') });
    // the name is drawn as its own isolate, not with the isolate's characters in the text
    expect(await page.getByTestId('confirm-dialog').locator('p').locator('bdi').textContent()).toBe('Weekend hike');
    await page.getByTestId('confirm-no').click();
    await expect.poll(() => page.locator(`[data-testid="group-item"][data-group="${groupId}"]`).count(), WAIT).toBe(1);
  }, 60_000);
});
