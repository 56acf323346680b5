/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { openChatWith, WAIT } from './support/web-app';
import type { Account } from './support/wire-users';

/** The composer as a user types into it: where the typing goes, and what is kept of it. */
describe('the composer', () => {
  const world = signedInWorld({ name: 'e2e-draft', users: ['alice', 'bob', 'carol'], viewer: 'alice' });
  let page: Page;
  let bob: Account;

  beforeAll(() => {
    ({ page } = world);
    bob = world.user('bob');
  });

  // a draft is saved a moment after the last key: the window going away in that moment must not lose it
  it('a draft typed just before a reload is kept', async () => {
    await openChatWith(page, bob.voipAccount);
    await page.getByTestId('composer-input').fill('meet at the north gate, not the');
    // no pause for the draft's timer: the window goes at once, as a reload or a closed app does
    await page.reload();
    const item = page.locator(`[data-testid="conversation-item"][data-conversation="${bob.voipAccount}"]`);
    await expect.poll(() => item.textContent(), WAIT).toContain('meet at the north gate, not the');
    await item.click();
    expect(await page.getByTestId('composer-input').inputValue()).toBe('meet at the north gate, not the');
  }, 60_000);

  it('a chat started from New chat with the keyboard takes the typing at once', async () => {
    const carol = world.user('carol');
    await page.getByTestId('new-chat').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('new-chat-user').waitFor(WAIT);
    await page.keyboard.type(carol.voipAccount);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('chat-pane').getAttribute('data-conversation'), WAIT).toBe(carol.voipAccount);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')), WAIT).toBe('composer-input');
    await page.keyboard.type('hello carol');
    await page.keyboard.press('Enter');
    await page.getByTestId('message-bubble').filter({ hasText: 'hello carol' }).waitFor(WAIT);
  }, 60_000);
});
