/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';
import type { Account } from './support/wire-users';

/** A user as the UI names them: the nickname once known, the id until then. */
const shownName = (user: Account) => `(?:${user.friendlyName}|${user.voipAccount})`;

/**
 * A group's admin at work in the UI: the menu offers what the server allows an admin (revoking a
 * plain member's message, not the owner's), and no more once the role is gone.
 */
describe('a group admin in the UI', () => {
  const world = signedInWorld({ name: 'group-admin', users: ['ann', 'bob', 'cat'], viewer: 'bob' });
  const wires = world.wires;
  let ann: Account;
  let bob: Account;
  let cat: Account;
  let page: Page;

  const item = (id: string) => page.locator(`[data-testid="conversation-item"][data-conversation="${id}"]`);
  const bubble = (text: string) => page.getByTestId('message-bubble').filter({ hasText: text });

  beforeAll(() => {
    ({ page } = world);
    ann = world.user('ann');
    bob = world.user('bob');
    cat = world.user('cat');
  });

  it("an admin revokes a member's message from the menu, not the owner's; a plain member is not offered it", async () => {
    const annWire = await wires.connect(ann);
    const catWire = await wires.connect(cat);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Admins', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount, cat.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    await annWire.ask('GROUP', { op: { case: 'setRole', value: { groupId, user: bob.voipAccount, role: pb.GroupRole.ADMIN } } }, 'GROUP_RESULT');
    await wires.sendText(catWire, groupId, 'a word too many');
    await item(groupId).click(WAIT);
    await bubble('a word too many').click({ button: 'right', ...WAIT });
    await page.getByTestId('menu-revoke').click(WAIT);
    const byMe = new RegExp(`You revoked a message from ${shownName(cat)}`);
    await expect.poll(() => page.getByTestId('message-revoked').textContent(), WAIT).toMatch(byMe);

    // the owner's message is above an admin: no Revoke offered (the server would refuse it)
    await wires.sendText(annWire, groupId, 'the owner speaks');
    await page.keyboard.press('Escape');
    await bubble('the owner speaks').click({ button: 'right', ...WAIT });
    await page.getByTestId('menu-delete').waitFor(WAIT);
    expect(await page.getByTestId('menu-revoke').count()).toBe(0);

    // no longer an admin: a member's message has no Revoke, only one's own within the window
    await annWire.ask('GROUP', { op: { case: 'setRole', value: { groupId, user: bob.voipAccount, role: pb.GroupRole.MEMBER } } }, 'GROUP_RESULT');
    await wires.sendText(catWire, groupId, 'another word');
    await expect.poll(async () => {
      await page.keyboard.press('Escape');
      await bubble('another word').click({ button: 'right' });
      return page.getByTestId('menu-revoke').count();
    }, WAIT).toBe(0);
    expect(await page.getByTestId('menu-delete').count()).toBe(1);
  }, 60_000);

  it('a member opens a group its owner dismissed: no error toast, and an info panel with no members and no actions', async () => {
    const annWire = await wires.connect(ann);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Short-lived', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount, cat.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    await wires.sendText(annWire, groupId, 'last words');
    // bob has seen the members before the group goes, so the page holds its member list
    await page.keyboard.press('Escape');
    await item(groupId).click(WAIT);
    await page.getByTestId('group-info-toggle').click(WAIT);
    await expect.poll(() => page.getByTestId('member-list').locator('li').count(), WAIT).toBe(3);
    await page.getByTestId('group-info-toggle').click(WAIT);

    await annWire.ask('GROUP', { op: { case: 'dismiss', value: { groupId } } }, 'GROUP_RESULT');
    await expect.poll(() => page.getByTestId('chat-pane').textContent(), WAIT).toContain('This group was dismissed');
    await page.getByTestId('group-info-toggle').click(WAIT);
    const details = page.getByTestId('group-details');
    await details.waitFor(WAIT);
    // give the panel's refresh the time to answer and any toast the time to show
    await page.waitForTimeout(1_000);
    expect(await page.locator('[data-testid="toasts"] .toast.error').allTextContents()).toEqual([]);
    await expect.poll(() => details.textContent(), WAIT).toContain('This group was dismissed');
    expect(await details.getByTestId('member-list').count()).toBe(0);
    expect(await details.textContent()).not.toMatch(/Members \(\d+\)/);
    for (const action of ['group-invite', 'group-edit', 'group-quit', 'group-dismiss', 'group-dnd']) {
      expect(await details.getByTestId(action).count(), action).toBe(0);
    }
  }, 60_000);
});
