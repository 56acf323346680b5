import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { WAIT, openChatWith } from './support/web-app';

/**
 * A label and its value ("User ID: ann", a custom message's command) read as each language writes
 * them: an English colon and a space, and in Chinese the full-width colon, as the page's other
 * Chinese text has it.
 */
describe('a label before its value, in English and Chinese', () => {
  const world = signedInWorld({ name: 'e2e-label-colons', users: ['ann', 'bob'], viewer: 'ann' });
  let page: Page;

  beforeAll(async () => {
    ({ page } = world);
    const bob = await world.wires.connect(world.user('bob'));
    await bob.ask('SEND', {
      clientMsgId: randomBytes(16),
      to: world.user('ann').voipAccount,
      type: pb.MessageType.CUSTOM,
      custom: { command: 'order.paid', payload: new TextEncoder().encode('{"order":7}') },
    }, 'SENT');
  }, 60_000);

  it("Settings' user id and a custom message's command", async () => {
    const ann = world.user('ann').voipAccount;
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    // the line around the id (a locator that the page had before the label took its value in)
    const idLine = page.getByTestId('settings-user-id').locator('xpath=..');
    await expect.poll(() => idLine.innerText(), WAIT).toBe(`User ID: ${ann}`);
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await expect.poll(() => idLine.innerText(), WAIT).toBe(`用户 ID：${ann}`);

    await page.getByTestId('nav-chats').click();
    await openChatWith(page, world.user('bob').voipAccount);
    const command = page.getByTestId('message-bubble').locator('code').locator('xpath=..');
    await expect.poll(() => command.innerText(), WAIT).toBe('命令：order.paid');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    await page.getByTestId('nav-chats').click();
    await expect.poll(() => command.innerText(), WAIT).toBe('Command: order.paid');
  }, 60_000);
});
