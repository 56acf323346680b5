/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { openChatWith, sendText, WAIT } from './support/web-app';
import type { Account } from './support/wire-users';

/**
 * A search jump brings its hit into view once; after it the chat behaves as before: my own message
 * and "Jump to latest" take the view to the end and keep it there, and other chats stick to their end.
 */
describe('after a search jump', () => {
  const world = signedInWorld({ name: 'search-jump', users: ['ann', 'bob', 'cat'], viewer: 'bob' });
  let ann: Account;
  let bob: Account;
  let cat: Account;
  let page: Page;

  const bubble = (text: string) => page.getByTestId('message-bubble').filter({ hasText: text });
  /** How far the list's end lies below the view, in pixels. */
  const belowView = () => page.getByTestId('message-list').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  /** The bubble is wholly inside the list's view. */
  const inView = (text: string) =>
    bubble(text).evaluate((el) => {
      const list = el.closest('[data-testid="message-list"]')!.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      // a pixel's slack: the list's bottom may fall between pixels
      return r.top >= list.top - 1 && r.bottom <= list.bottom + 1;
    });

  async function searchAndJump(query: string): Promise<void> {
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-input').fill(query);
    await page.getByTestId('search-hit').first().click();
    await page.getByTestId('search-input').waitFor({ state: 'detached', ...WAIT });
  }

  beforeAll(async () => {
    ({ page } = world);
    ann = world.user('ann');
    bob = world.user('bob');
    cat = world.user('cat');
    const annWire = await world.wires.connect(ann);
    for (let i = 1; i <= 60; i++) await world.wires.sendText(annWire, bob.voipAccount, i === 5 ? 'the wombat plan' : `ann line ${i}`);
    const catWire = await world.wires.connect(cat);
    for (let i = 1; i <= 30; i++) await world.wires.sendText(catWire, bob.voipAccount, `cat line ${i}`);
    await page.locator(`[data-testid="conversation-item"][data-conversation="${ann.voipAccount}"]`).waitFor(WAIT);
  }, 120_000);

  it('my own message takes the view to the end and the hit is no longer highlighted', async () => {
    await searchAndJump('wombat');
    await expect.poll(() => inView('the wombat plan'), WAIT).toBe(true);
    expect(await bubble('the wombat plan').getAttribute('class')).toContain('highlighted');

    await sendText(page, 'back to the present');
    await bubble('back to the present').waitFor(WAIT);
    await expect.poll(() => inView('back to the present'), WAIT).toBe(true);
    // it stays there: the next row does not pull the view back to the hit
    await page.waitForTimeout(500);
    expect(await inView('back to the present')).toBe(true);
    expect(await belowView()).toBeLessThan(80);
    expect(await page.locator('.msg.highlighted').count()).toBe(0);
  }, 60_000);

  it('"Jump to latest" leaves the hit for good: a message coming in follows at the end', async () => {
    await searchAndJump('wombat');
    await expect.poll(() => inView('the wombat plan'), WAIT).toBe(true);
    await page.getByTestId('jump-latest').click();
    await expect.poll(belowView, WAIT).toBeLessThan(80);

    const annWire = await world.wires.connect(ann);
    await world.wires.sendText(annWire, bob.voipAccount, 'a word from ann at the end');
    await bubble('a word from ann at the end').waitFor(WAIT);
    await expect.poll(() => inView('a word from ann at the end'), WAIT).toBe(true);
    await page.waitForTimeout(500);
    expect(await inView('a word from ann at the end')).toBe(true);
    expect(await page.locator('.msg.highlighted').count()).toBe(0);
  }, 60_000);

  it('another chat opened after a jump sticks to its end as messages come in', async () => {
    await searchAndJump('wombat');
    await expect.poll(() => inView('the wombat plan'), WAIT).toBe(true);
    await openChatWith(page, cat.voipAccount);
    await expect.poll(() => inView('cat line 30'), WAIT).toBe(true);

    const catWire = await world.wires.connect(cat);
    for (let i = 31; i <= 33; i++) await world.wires.sendText(catWire, bob.voipAccount, `cat line ${i}, with a longer text that takes a line of its own`);
    await bubble('cat line 33').waitFor(WAIT);
    await expect.poll(() => inView('cat line 33'), WAIT).toBe(true);

    // and back in ann's chat, the hit left behind does not hold the view
    await openChatWith(page, ann.voipAccount);
    await expect.poll(() => inView('a word from ann at the end'), WAIT).toBe(true);
    expect(await page.locator('.msg.highlighted').count()).toBe(0);
  }, 60_000);
});
