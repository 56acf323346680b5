/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';

const PEERS = ['peer1', 'peer2', 'peer3'];

/**
 * A chat deleted while its row has the keyboard focus hands the focus to the next row (the one
 * before, when it was the last; the list itself, when none is left), never to the page, where a
 * keyboard user would start over from the top.
 */
describe('the chat list when the focused chat goes', () => {
  const world = signedInWorld({ name: 'e2e-chat-list-removed-focus', users: ['bob', ...PEERS], viewer: 'bob' });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  const rows = () => page.getByTestId('conversation-item');
  const order = () => rows().evaluateAll((items) => items.map((item) => item.getAttribute('data-conversation')!));
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-conversation') ?? document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);

  /** Deletes the focused row's chat with the keyboard: its menu (Shift+F10), Delete, then the question's yes. */
  async function deleteFocused(): Promise<void> {
    await page.keyboard.press('Shift+F10');
    await page.getByTestId('conversation-delete').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-yes').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached', ...WAIT });
  }

  it('moves to the next row, the previous after the last, and the list when it is empty', async () => {
    const wire = await world.wires.connect(world.user('bob'));
    for (const name of PEERS) await world.wires.sendText(wire, world.user(name).voipAccount, `hello ${name}`);
    await expect.poll(() => rows().count(), WAIT).toBe(PEERS.length);
    const [first, second, third] = await order();

    // the middle row: the next one takes the focus, and is the list's Tab stop
    await page.getByTestId('conversation-filter').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(second);
    await deleteFocused();
    await expect.poll(() => rows().count(), WAIT).toBe(2);
    await expect.poll(focused, WAIT).toBe(third);
    expect(await page.locator('[data-testid="conversation-item"][tabindex="0"]').getAttribute('data-conversation')).toBe(third);

    // the last row: the one before it
    await deleteFocused();
    await expect.poll(() => rows().count(), WAIT).toBe(1);
    await expect.poll(focused, WAIT).toBe(first);

    // the only row: the list itself
    await deleteFocused();
    await expect.poll(() => rows().count(), WAIT).toBe(0);
    await expect.poll(focused, WAIT).toBe('conversation-list');
  }, 90_000);
});
