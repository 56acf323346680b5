import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { openChatWith, WAIT } from './support/web-app';

/**
 * A user types a friendly name in New chat ("carol") where the app wants her id (a number): the
 * chat it opens is with someone else, named "carol" too. The list and the header say whose id
 * each chat is, so the two are never taken for one person.
 */
describe('two chats under one name', () => {
  const world = signedInWorld({ name: 'e2e-same-name', users: ['bob', 'carol'], viewer: 'bob' });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  it('tells the real carol from a chat with the id "carol" in the list and the header', async () => {
    const carol = world.user('carol');
    expect(carol.voipAccount).not.toBe('carol');
    const wire = await world.wires.connect(carol);
    await world.wires.sendText(wire, world.user('bob').voipAccount, 'hello from the real carol');
    const real = page.locator(`[data-testid="conversation-item"][data-conversation="${carol.voipAccount}"]`);
    await expect.poll(() => real.locator('.title bdi').textContent(), WAIT).toBe('carol');

    await openChatWith(page, 'carol');
    const typed = page.locator('[data-testid="conversation-item"][data-conversation="carol"]');
    await typed.waitFor(WAIT);
    expect(await typed.locator('.title bdi').textContent()).toBe('carol');

    // the real carol's row names her id; the other row's name is its id already
    expect(await real.getByTestId('conversation-id').textContent()).toContain(carol.voipAccount);
    expect(await typed.getByTestId('conversation-id').count()).toBe(0);
    expect(await real.locator('.title').textContent()).not.toBe(await typed.locator('.title').textContent());

    // her chat's header says whose it is too; the chat with "carol" needs no more than its title
    expect(await page.getByTestId('chat-peer-id').count()).toBe(0);
    await real.click();
    await expect.poll(() => page.getByTestId('chat-peer-id').textContent(), WAIT).toBe(`ID ${carol.voipAccount}`);
  }, 60_000);
});
