/// <reference lib="dom" />
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';
import type { Account } from './support/wire-users';

/** An alias of the longest kind the server takes, 64 characters with no space to break at. */
const LONG_ALIAS = 'TheEngineeringDepartmentsQuarterlyPlanningCoordinatorAndTimekeep';

describe('a long group alias in the chat list, and the alias field', () => {
  const world = signedInWorld({ name: 'long-alias', users: ['ann', 'bob'], viewer: 'bob' });
  let ann: Account;
  let bob: Account;
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
    ann = world.user('ann');
    bob = world.user('bob');
  });

  it("keeps the message's words in the preview line beside a 64-character alias, and the alias field's hint whole", async () => {
    expect(LONG_ALIAS).toHaveLength(64);
    const annWire = await world.wires.connect(ann);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Plans', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    await annWire.ask('GROUP', { op: { case: 'setCard', value: { groupId, card: LONG_ALIAS } } }, 'GROUP_RESULT');
    await world.wires.sendText(annWire, groupId, 'see you at noon');

    const item = page.locator(`[data-testid="conversation-item"][data-conversation="${groupId}"]`);
    // the page names a member by their alias once it holds the group's members: the chat is open
    await item.click(WAIT);
    const bubble = page.getByTestId('message-bubble').filter({ hasText: 'see you at noon' });
    await expect.poll(() => bubble.getByTestId('sender-name').textContent(), WAIT).toBe(LONG_ALIAS);
    const preview = item.getByTestId('conversation-preview');
    await expect.poll(() => preview.textContent(), WAIT).toContain(`${LONG_ALIAS}: see you at noon`);
    await page.screenshot({ path: join(process.env['MAGPIE_SHOTS'] ?? tmpdir(), 'long-alias-list.png') });
    const measured = await preview.evaluate((el) => {
      const row = el.parentElement!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      const words = [...el.querySelectorAll('bdi')].find((b) => b.textContent === 'see you at noon')!.getBoundingClientRect();
      return { row: { left: row.left, right: row.right }, box: { left: box.left, right: box.right }, words: { left: words.left, right: words.right } };
    });
    console.log(JSON.stringify(measured));
    // the preview stays inside its row, and the words start well inside it rather than behind the name
    expect(measured.box.right).toBeLessThanOrEqual(measured.row.right + 0.5);
    expect(measured.box.left).toBeGreaterThanOrEqual(measured.row.left - 0.5);
    expect(measured.words.left).toBeLessThanOrEqual(measured.box.right - 60);

    await page.getByTestId('group-info-toggle').click(WAIT);
    const hint = page.getByTestId('my-card-hint');
    await expect.poll(() => hint.textContent(), WAIT).toContain('Shown here instead of your nickname');
    await page.screenshot({ path: join(process.env['MAGPIE_SHOTS'] ?? tmpdir(), 'long-alias-details.png') });
    const fits = await hint.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, described: document.getElementById('my-card-input')?.getAttribute('aria-describedby') ?? '' }));
    expect(fits.scroll).toBeLessThanOrEqual(fits.client);
    expect(fits.described.split(' ')).toContain('my-card-hint');
  }, 60_000);
});
