/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';
import type { Account } from './support/wire-users';

/** A user as the UI names them: the nickname (the friendly name) once known, the id until then. */
const shownName = (user: Account) => `(?:${user.friendlyName}|${user.voipAccount})`;

/**
 * The chat list as the user reads it: the filter matches the previews in the page's language (not
 * the core's codes), and a message an admin revoked says so, in the list and in the chat.
 */
describe('the chat list previews', () => {
  const world = signedInWorld({ name: 'previews', users: ['ann', 'bob', 'cat'], viewer: 'bob' });
  const wires = world.wires;
  const wire = wires.connect;
  const sendText = wires.sendText;
  let ann: Account;
  let bob: Account;
  let cat: Account;
  let page: Page;

  const item = (id: string) => page.locator(`[data-testid="conversation-item"][data-conversation="${id}"]`);
  const shownIds = () => page.locator('[data-testid="conversation-item"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-conversation')));

  beforeAll(() => {
    ({ page } = world);
    ann = world.user('ann');
    bob = world.user('bob');
    cat = world.user('cat');
  });

  it('the filter finds a revoked message by the words shown, in English and in Chinese, not by its stored code', async () => {
    const annWire = await wire(ann);
    const msgId = await sendText(annWire, bob.voipAccount, 'see you at lunch');
    await annWire.ask('REVOKE', { msgId }, 'OK');
    await expect.poll(() => item(ann.voipAccount).textContent(), WAIT).toContain('The other person revoked a message');

    const filter = page.getByTestId('conversation-filter');
    await filter.fill('other person revoked');
    await expect.poll(shownIds, WAIT).toEqual([ann.voipAccount]);
    await filter.fill('[revoked]');
    await expect.poll(shownIds, WAIT).toEqual([]);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.getByTestId('nav-chats').click();
    await filter.fill('对方撤回');
    await expect.poll(shownIds, WAIT).toEqual([ann.voipAccount]);
    await filter.fill('other person revoked');
    await expect.poll(shownIds, WAIT).toEqual([]);
    await filter.fill('');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    await page.getByTestId('nav-chats').click();
  }, 60_000);

  it("a message the group's owner revoked names the owner, not its sender, in the list and in the chat", async () => {
    await page.getByTestId('conversation-filter').fill('');
    const annWire = await wire(ann);
    const catWire = await wire(cat);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Lunch', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount, cat.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    const msgId = await sendText(catWire, groupId, 'a word too many');
    await expect.poll(() => item(groupId).textContent(), WAIT).toContain('a word too many');
    // ann owns the group: she may revoke cat's message
    await annWire.ask('REVOKE', { msgId }, 'OK');
    const byOwner = new RegExp(`${shownName(ann)} revoked a message from ${shownName(cat)}`);
    await expect.poll(() => item(groupId).textContent(), WAIT).toMatch(byOwner);
    await item(groupId).click();
    await expect.poll(() => page.getByTestId('message-revoked').textContent(), WAIT).toMatch(byOwner);
  }, 60_000);
  it('a group event is the row\'s last line, in the chat\'s own words, and moves the row to its time', async () => {
    await page.getByTestId('conversation-filter').fill('');
    const annWire = await wire(ann);
    const catWire = await wire(cat);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Events', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount, cat.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    await sendText(catWire, groupId, 'hello all');
    await expect.poll(() => item(groupId).textContent(), WAIT).toContain('hello all');
    // a newer message elsewhere puts that chat above the group
    await sendText(annWire, bob.voipAccount, 'a newer word');
    await expect.poll(async () => (await shownIds())[0], WAIT).toBe(ann.voipAccount);

    // a new announcement is quoted, on one line and cut short; a rename says the new name
    const announcement = `Meet at 10,\nroom 3. ${'Bring the slides. '.repeat(5)}`;
    await annWire.ask('GROUP', { op: { case: 'modify', value: { groupId, announcement } } }, 'GROUP_RESULT');
    await item(groupId).click();
    await expect.poll(() => page.getByTestId('notice-line').last().textContent(), WAIT).toMatch(
      new RegExp(`${shownName(ann)} changed the announcement: Meet at 10, room 3\\. Bring the slides\\. .{20,}…\\s*$`),
    );
    await annWire.ask('GROUP', { op: { case: 'modify', value: { groupId, name: 'Events 2' } } }, 'GROUP_RESULT');
    const renamed = new RegExp(`${shownName(ann)} renamed the group to "Events 2"\\s*$`);
    await expect.poll(() => page.getByTestId('notice-line').last().textContent(), WAIT).toMatch(renamed);
    await expect.poll(() => item(groupId).locator('.preview').textContent(), WAIT).toMatch(renamed);

    await catWire.ask('GROUP', { op: { case: 'quit', value: { groupId } } }, 'GROUP_RESULT');
    const left = new RegExp(`${shownName(cat)} left the group`);
    await expect.poll(() => item(groupId).locator('.preview').textContent(), WAIT).toMatch(left);
    await expect.poll(async () => (await shownIds())[0], WAIT).toBe(groupId);
    await item(groupId).click();
    await expect.poll(() => page.getByTestId('notice-line').last().textContent(), WAIT).toMatch(left);

    await annWire.ask('GROUP', { op: { case: 'kick', value: { groupId, users: [bob.voipAccount] } } }, 'GROUP_RESULT');
    await expect.poll(() => item(groupId).locator('.preview').textContent(), WAIT).toMatch(new RegExp(`${shownName(ann)} removed you`));
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.getByTestId('nav-chats').click();
    await expect.poll(() => item(groupId).locator('.preview').textContent(), WAIT).toMatch(/将你移出了群组$/);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    await page.getByTestId('nav-chats').click();
  }, 60_000);

  // the server refuses every other control in a text now (a message stored before that rule is
  // drawn the same way: test/unit/renderer/message-text.test.ts); a lone CR is still taken
  it('a lone carriage return in a text shows by name in the list and in the bubble, never as a box, and HTML as text', async () => {
    const catWire = await wire(cat);
    await sendText(catWire, bob.voipAccount, 'bell\r <b>red</b>\r\ttab');
    const shown = 'bellCR <b>red</b>CR\ttab';
    await expect.poll(() => item(cat.voipAccount).locator('.preview').textContent(), WAIT).toContain('bell<CR> <b>red</b><CR>');
    await item(cat.voipAccount).click();
    const text = page.getByTestId('message-text').filter({ hasText: 'bell' });
    await expect.poll(() => text.textContent(), WAIT).toBe(shown);
    expect(await text.locator('b').count()).toBe(0);
    expect(await text.getByTestId('message-control').evaluateAll((names) => names.map((n) => n.getAttribute('title')))).toEqual(['U+000D', 'U+000D']);
    // MAGPIE_SHOTS=<folder> keeps a screenshot for a look: names, not boxes
    if (process.env['MAGPIE_SHOTS']) await page.screenshot({ path: join(process.env['MAGPIE_SHOTS'], 'control-characters.png') });
  }, 60_000);
});
