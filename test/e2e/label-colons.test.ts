import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { WAIT, openChatWith, sendText } from './support/web-app';

/**
 * A label and its value ("User ID: ann", a custom message's command, "Read (1)") read as each
 * language writes them: an English colon and a space, or parentheses after a space, and in Chinese
 * the full-width colon and parentheses, as the page's other Chinese text has them.
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
    // a heading of two names joins them as Chinese does, not with an English slash
    await expect.poll(() => page.locator('h3', { hasText: '语言与主题' }).count(), WAIT).toBe(1);

    await page.getByTestId('nav-chats').click();
    await openChatWith(page, world.user('bob').voipAccount);
    const command = page.getByTestId('message-bubble').locator('code').locator('xpath=..');
    await expect.poll(() => command.innerText(), WAIT).toBe('命令：order.paid');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    await page.getByTestId('nav-chats').click();
    await expect.poll(() => command.innerText(), WAIT).toBe('Command: order.paid');
  }, 60_000);

  it("a group's member count and the counts of its readers", async () => {
    await page.getByTestId('nav-groups').click();
    await page.getByTestId('groups-create').click();
    await page.getByTestId('create-group-name').fill('Counted room');
    await page.getByTestId('create-group-members').fill(world.user('bob').voipAccount);
    await page.getByTestId('create-group-submit').click();
    // the heading over the member list (found by what it holds, before and after it took the count in)
    const membersHeading = page.locator('h3').filter({ hasText: /^\s*(Members|群成员)/ });
    await expect.poll(async () => (await membersHeading.innerText()).trim(), WAIT).toBe('Members (2)');
    await page.getByTestId('group-open-chat').click();
    const headerCount = page.getByTestId('chat-title').locator('.count');
    await expect.poll(() => headerCount.innerText(), WAIT).toBe('(2)');
    await sendText(page, 'who has read this?');
    await page.getByTestId('readers-button').click();
    const headings = page.getByRole('dialog').locator('h3');
    await expect.poll(() => headings.allInnerTexts(), WAIT).toEqual(['Read (0)', 'Unread (1)']);
    await page.keyboard.press('Escape');

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.getByTestId('nav-chats').click();
    await expect.poll(() => headerCount.innerText(), WAIT).toBe('（2）');
    await page.getByTestId('readers-button').click();
    await expect.poll(() => headings.allInnerTexts(), WAIT).toEqual(['已读（0）', '未读（1）']);
    await page.keyboard.press('Escape');
    await page.getByTestId('nav-groups').click();
    await page.getByTestId('group-item').filter({ hasText: 'Counted room' }).click();
    await expect.poll(async () => (await membersHeading.innerText()).trim(), WAIT).toBe('群成员（2）');
  }, 60_000);
});
