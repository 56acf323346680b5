/// <reference lib="dom" />
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { openChatWith, repoRoot, WAIT } from './support/web-app';
import type { Account } from './support/wire-users';

const ARTIFACTS = join(repoRoot, 'test/e2e/artifacts');

/**
 * A search hit shows why it matched: the words of the query are marked in it, in the search over
 * all chats (Ctrl+K) and in the search of one chat (Ctrl+F), for English and Chinese alike, and a
 * message's own markup stays text.
 */
describe('search hits mark the words that matched', () => {
  const world = signedInWorld({ name: 'search-marks', users: ['ann', 'bob', 'cat'], viewer: 'bob' });
  let ann: Account;
  let cat: Account;
  let page: Page;

  const marks = (hit: Locator) => hit.locator('mark').allTextContents();
  const globalHits = () => page.getByTestId('search-hit');
  const chatHits = () => page.getByTestId('chat-search-hit');

  async function searchAll(query: string): Promise<void> {
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-input').fill(query);
  }

  beforeAll(async () => {
    ({ page } = world);
    ann = world.user('ann');
    cat = world.user('cat');
    const annWire = await world.wires.connect(ann);
    await world.wires.sendText(annWire, world.user('bob').voipAccount, 'The Wombat plan for Friday');
    await world.wires.sendText(annWire, world.user('bob').voipAccount, '周末一起去爬山吧，爬山的装备我来准备');
    // "café" three ways: composed, with a combining accent, in capitals
    await world.wires.sendText(annWire, world.user('bob').voipAccount, 'Coffee at the Café, the cafe\u0301 or the CAFÉ?');
    for (let i = 1; i <= 40; i++) await world.wires.sendText(annWire, world.user('bob').voipAccount, `ann filler line ${i}`);
    await world.wires.sendText(annWire, world.user('bob').voipAccount, 'see <b>wombat</b> & <img src=x onerror=alert(1)>');
    const catWire = await world.wires.connect(cat);
    await world.wires.sendText(catWire, world.user('bob').voipAccount, 'a wombat of cat');
    await page.locator(`[data-testid="conversation-item"][data-conversation="${cat.voipAccount}"]`).waitFor(WAIT);
  }, 120_000);

  it('the search over all chats marks English and Chinese words, and draws markup as text', async () => {
    await searchAll('wombat');
    await expect.poll(() => globalHits().count(), WAIT).toBe(3);
    for (const hit of await globalHits().all()) expect((await marks(hit)).map((m) => m.toLowerCase())).toEqual(['wombat']);
    const markup = globalHits().filter({ hasText: 'onerror' });
    expect(await markup.textContent()).toContain('see <b>wombat</b> & <img src=x onerror=alert(1)>');
    expect(await markup.locator('b, img').count()).toBe(0);
    await page.setViewportSize({ width: 800, height: 600 });
    await page.screenshot({ path: join(ARTIFACTS, 'search-marks-en-800.png') });
    await page.setViewportSize({ width: 1200, height: 760 });

    await page.getByTestId('search-input').fill('爬山');
    await expect.poll(() => marks(globalHits().first()), WAIT).toEqual(['爬山', '爬山']);
    expect(await globalHits().count()).toBe(1);
    // two words: each is marked where it stands, in the case it was written
    await page.getByTestId('search-input').fill('friday wom');
    // the hits change after a pause in typing: wait for this query's
    await expect.poll(() => marks(globalHits().first()), WAIT).toEqual(['Wom', 'Friday']);
    expect(await globalHits().count()).toBe(1);
    await page.keyboard.press('Escape');
  }, 60_000);

  it("the search in a chat finds only that chat's messages, marks them, and jumps to the one chosen", async () => {
    await openChatWith(page, ann.voipAccount);
    await page.getByTestId('message-list').click();
    await page.keyboard.press('Control+f');
    const input = page.getByTestId('chat-search-input');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement), WAIT).toBe(true);
    await input.fill('wombat');
    await expect.poll(() => chatHits().count(), WAIT).toBe(2);
    expect(await chatHits().filter({ hasText: 'of cat' }).count()).toBe(0);
    for (const hit of await chatHits().all()) expect((await marks(hit)).map((m) => m.toLowerCase())).toEqual(['wombat']);

    // the older hit, chosen by keyboard: the chat scrolls to it and highlights it
    await input.press('ArrowDown');
    await input.press('Enter');
    const bubble = page.getByTestId('message-bubble').filter({ hasText: 'The Wombat plan for Friday' });
    await expect.poll(() => bubble.getAttribute('class'), WAIT).toContain('highlighted');
    expect(await chatHits().count()).toBe(0);

    await page.setViewportSize({ width: 800, height: 600 });
    await input.fill('爬山');
    await expect.poll(() => marks(chatHits().first()), WAIT).toEqual(['爬山', '爬山']);
    expect(await chatHits().count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'chat-search-marks-en-800.png') });

    // Esc folds the hits away, a second Esc closes the search and gives the focus back to its button
    await input.press('Escape');
    expect(await chatHits().count()).toBe(0);
    await input.press('Escape');
    await page.getByTestId('chat-search').waitFor({ state: 'detached', ...WAIT });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chat-search-toggle');
    await page.setViewportSize({ width: 1200, height: 760 });
  }, 60_000);

  it('an accent-free query marks the accented words it found, in the chat and over all chats', async () => {
    await openChatWith(page, ann.voipAccount);
    await page.getByTestId('message-list').click();
    await page.keyboard.press('Control+f');
    const input = page.getByTestId('chat-search-input');
    await input.fill('cafe');
    await expect.poll(() => marks(chatHits().first()), WAIT).toEqual(['Café', 'cafe\u0301', 'CAFÉ']);
    expect(await chatHits().count()).toBe(1);
    await input.press('Escape');
    await input.press('Escape');
    await page.getByTestId('chat-search').waitFor({ state: 'detached', ...WAIT });

    await searchAll('cafe');
    await expect.poll(() => marks(globalHits().first()), WAIT).toEqual(['Café', 'cafe\u0301', 'CAFÉ']);
    expect(await globalHits().count()).toBe(1);
    expect(await globalHits().first().textContent()).toContain('Coffee at the Café, the cafe\u0301 or the CAFÉ?');
    await page.keyboard.press('Escape');
  }, 60_000);

  it('reads in Chinese: the search button, its box and its hits', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.getByTestId('nav-chats').click();
    await openChatWith(page, ann.voipAccount);
    expect(await page.getByTestId('chat-search-toggle').getAttribute('aria-label')).toBe('搜索聊天记录（Ctrl+F）');
    await page.getByTestId('chat-search-toggle').click();
    const input = page.getByTestId('chat-search-input');
    expect(await input.getAttribute('placeholder')).toBe('在本会话中搜索消息');
    await input.fill('装备');
    await expect.poll(() => marks(chatHits().first()), WAIT).toEqual(['装备']);
    expect(await chatHits().count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'chat-search-marks-zh-CN.png') });
    await page.setViewportSize({ width: 800, height: 600 });
    await searchAllAgain();
    await page.screenshot({ path: join(ARTIFACTS, 'search-marks-zh-CN-800.png') });
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1200, height: 760 });
  }, 60_000);

  async function searchAllAgain(): Promise<void> {
    await page.keyboard.press('Control+k');
    await page.getByTestId('search-input').fill('爬山 装备');
    await expect.poll(() => marks(globalHits().first()), WAIT).toEqual(['爬山', '爬山', '装备']);
    expect(await globalHits().count()).toBe(1);
    // the sender is named as the chat list names one, with the full-width colon of Chinese text
    expect(await globalHits().first().getByTestId('search-hit-body').innerText()).toMatch(/^ann：周末/);
  }
});
