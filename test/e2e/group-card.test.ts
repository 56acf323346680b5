/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';
import type { Account } from './support/wire-users';

/** A member's alias in a group (member card) and the member menu's focus, in the real UI. */
describe("a member's alias in a group, in the UI", () => {
  const world = signedInWorld({ name: 'group-card', users: ['ann', 'bob', 'cat'], viewer: 'bob' });
  const wires = world.wires;
  let ann: Account;
  let bob: Account;
  let cat: Account;
  let page: Page;

  const item = (id: string) => page.locator(`[data-testid="conversation-item"][data-conversation="${id}"]`);
  const row = (user: Account) => page.locator(`[data-testid="member-row"][data-user="${user.voipAccount}"]`);

  beforeAll(() => {
    ({ page } = world);
    ann = world.user('ann');
    bob = world.user('bob');
    cat = world.user('cat');
  });

  it("names a sender by their alias in the group's chat; one sets, is refused and clears one's own in the details", async () => {
    const annWire = await wires.connect(ann);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Aliases', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount, cat.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    await annWire.ask('GROUP', { op: { case: 'setCard', value: { groupId, card: 'Coach Ann' } } }, 'GROUP_RESULT');
    await wires.sendText(annWire, groupId, 'practice at six');
    await item(groupId).click(WAIT);
    const bubble = page.getByTestId('message-bubble').filter({ hasText: 'practice at six' });
    await expect.poll(() => bubble.getByTestId('sender-name').textContent(), WAIT).toBe('Coach Ann');

    await page.getByTestId('group-info-toggle').click(WAIT);
    const field = page.getByTestId('my-card-input');
    await field.fill('🐦'.repeat(65), WAIT);
    await page.getByTestId('my-card-save').click(WAIT);
    await expect.poll(() => page.getByTestId('my-card-error').textContent(), WAIT).toContain('An alias is at most 64 characters (this one is 65)');
    await field.fill('Bobby 🐦', WAIT);
    await field.press('Enter');
    await expect.poll(() => page.getByTestId('my-card-status').textContent(), WAIT).toContain('Alias saved');
    await expect.poll(() => row(bob).locator('.name').textContent(), WAIT).toContain('Bobby 🐦');
    // the server holds it: ann reads it in the member list
    const listed = await annWire.ask('GROUP', { op: { case: 'members', value: { groupId, offset: 0, limit: 10 } } }, 'GROUP_RESULT');
    expect((listed.result.value as pb.MemberPage).members.find((m) => m.userId === bob.voipAccount)?.card).toBe('Bobby 🐦');

    await page.getByTestId('my-card-clear').click(WAIT);
    await expect.poll(() => page.getByTestId('my-card-status').textContent(), WAIT).toContain('Alias cleared');
    await expect.poll(() => row(bob).locator('.name').textContent(), WAIT).not.toContain('Bobby');
  }, 60_000);

  it("draws the alias field as every other text field: the app's border, corners, padding and background", async () => {
    await page.getByTestId('my-card-input').waitFor(WAIT);
    const [alias, reference] = await page.evaluate(() => {
      const look = (el: Element) => {
        const s = getComputedStyle(el);
        return [s.borderTopStyle, s.borderTopWidth, s.borderTopColor, s.borderTopLeftRadius, s.paddingTop, s.paddingLeft, s.backgroundColor].join(' ');
      };
      // the app's text field, as the sign-in form, settings and dialogs draw theirs
      const probe = document.createElement('input');
      probe.className = 'input';
      document.querySelector('[data-testid="my-card"]')!.append(probe);
      const seen = [look(document.querySelector('[data-testid="my-card-input"]')!), look(probe)];
      probe.remove();
      return seen;
    });
    expect(alias).toBe(reference);
  }, 60_000);

  it("gives the focus back to a member's More actions button after Esc in the dialog its menu opened", async () => {
    const annWire = await wires.connect(ann);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Focus', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount, cat.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    await annWire.ask('GROUP', { op: { case: 'setRole', value: { groupId, user: bob.voipAccount, role: pb.GroupRole.ADMIN } } }, 'GROUP_RESULT');
    await wires.sendText(annWire, groupId, 'hello admins');
    await page.keyboard.press('Escape');
    await item(groupId).click(WAIT);
    if ((await page.getByTestId('group-details').count()) === 0) await page.getByTestId('group-info-toggle').click(WAIT);
    const more = row(cat).getByTestId('member-actions');
    await more.waitFor(WAIT);
    await more.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('member-mute').waitFor(WAIT);
    await page.getByTestId('member-mute').press('Enter');
    await page.getByTestId('mute-dialog').waitFor(WAIT);
    await page.keyboard.press('Escape');
    await page.getByTestId('mute-dialog').waitFor({ state: 'detached', ...WAIT });
    expect(await more.evaluate((el) => el === document.activeElement)).toBe(true);
  }, 60_000);
});
