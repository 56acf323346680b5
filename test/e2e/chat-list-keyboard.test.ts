/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';

const PEERS = Array.from({ length: 24 }, (_, i) => `peer${String(i + 1).padStart(2, '0')}`);

/**
 * A long chat list is one Tab stop: Tab goes into it and out of it in one key each, the arrows
 * (and Home, End) move between the chats, each row scrolled into sight, and Enter opens one.
 */
describe('the chat list by keyboard', () => {
  const world = signedInWorld({ name: 'e2e-chat-list-keys', users: ['bob', ...PEERS], viewer: 'bob' });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  const rows = () => page.getByTestId('conversation-item');
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-conversation') ?? document.activeElement?.getAttribute('data-testid') ?? null);

  async function inSight(id: string): Promise<boolean> {
    const row = (await page.locator(`[data-testid="conversation-item"][data-conversation="${id}"]`).boundingBox())!;
    const list = (await page.getByTestId('conversation-list').boundingBox())!;
    return row.y >= list.y - 1 && row.y + row.height <= list.y + list.height + 1;
  }

  it('takes one Tab in and one out, moves with the arrows, Home and End, and opens with Enter', async () => {
    // bob's own messages (from another device of his) to each peer make one chat each
    const wire = await world.wires.connect(world.user('bob'));
    for (const [i, name] of PEERS.entries()) await world.wires.sendText(wire, world.user(name).voipAccount, `hello ${i + 1}`);
    await expect.poll(() => rows().count(), WAIT).toBe(PEERS.length);
    const order = await rows().evaluateAll((items) => items.map((item) => item.getAttribute('data-conversation')!));
    // the list is longer than its window: End has a row out of sight to bring in
    expect(await inSight(order.at(-1)!)).toBe(false);

    expect(await page.locator('[data-testid="conversation-item"][tabindex="0"]').count()).toBe(1);
    await page.getByTestId('conversation-filter').focus();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('new-chat');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe(order[0]);
    // one more Tab leaves the list, whatever its length; Shift+Tab comes back to the same row
    await page.keyboard.press('Tab');
    expect(order).not.toContain(await focused());
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe(order[0]);

    await page.keyboard.press('End');
    expect(await focused()).toBe(order.at(-1));
    expect(await inSight(order.at(-1)!)).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe(order.at(-2));
    await page.keyboard.press('Home');
    expect(await focused()).toBe(order[0]);
    expect(await inSight(order[0]!)).toBe(true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(order[2]);
    // the row moved to is the Tab stop now, and still the only one
    expect(await page.locator('[data-testid="conversation-item"][tabindex="0"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-conversation')))).toEqual([order[2]]);

    // a screen reader still hears each chat by its name
    const third = world.user(PEERS.find((name) => world.user(name).voipAccount === order[2])!);
    await expect.poll(() => page.getByRole('option', { name: new RegExp(third.friendlyName) }).count(), WAIT).toBe(1);

    await page.keyboard.press('Enter');
    const opened = page.locator(`[data-testid="conversation-item"][data-conversation="${order[2]}"]`);
    await expect.poll(() => opened.getAttribute('aria-selected'), WAIT).toBe('true');
    await page.getByTestId('composer-input').waitFor(WAIT);
  }, 120_000);
});
