/// <reference lib="dom" />
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';
import type { Account } from './support/wire-users';

/** A nickname with a right-to-left override: drawn raw, "mal<RLO>ory: hi" would read "mal…ih :yro". */
const SPOOF_NICKNAME = 'mal\u202eory';

/**
 * Where each of the needles is drawn in the element, as the left edge of its first character:
 * the layout Chromium made, not the order in the DOM.
 */
function drawnLefts(element: Locator, needles: readonly string[]): Promise<number[]> {
  return element.evaluate((root, wanted) => {
    const texts: Text[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node as Text);
    return wanted.map((needle) => {
      for (const text of texts) {
        const at = text.data.indexOf(needle);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + 1);
        return range.getBoundingClientRect().left;
      }
      throw new Error(`"${needle}" is not in ${root.textContent ?? ''}`);
    });
  }, needles);
}

/**
 * A nickname or a message holding U+202E (right-to-left override) is drawn in its own isolate:
 * it cannot reorder the words next to it (the ": " after a name in the chat list, "left the
 * group" after a name in the chat), and an Arabic message still reads right to left.
 */
describe('bidirectional text in the real UI', () => {
  const world = signedInWorld({
    name: 'bidi',
    users: ['ann', 'bob', 'eve'],
    viewer: 'bob',
    // a nickname saved before the server refused overrides in names: the client must not trust it
    prepare: (server) => server.server.db.prepare('UPDATE users SET nickname = ? WHERE user_id = ?').run(SPOOF_NICKNAME, world.user('eve').voipAccount),
  });
  const wires = world.wires;
  let ann: Account;
  let bob: Account;
  let eve: Account;
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
    ann = world.user('ann');
    bob = world.user('bob');
    eve = world.user('eve');
  });

  it('a nickname and a message with U+202E stay in their place beside the name, the ": " and "left the group"', async () => {
    const annWire = await wires.connect(ann);
    const eveWire = await wires.connect(eve);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Bidi', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount, eve.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    // the message in a later millisecond than the create notice: a notice and a message of the same
    // millisecond have no order in time, and the chat list then shows the notice
    await new Promise((resolve) => setTimeout(resolve, 5));
    await wires.sendText(eveWire, groupId, 'hi \u202ethere 12');

    const preview = page.locator(`[data-testid="conversation-item"][data-conversation="${groupId}"] .preview`);
    await expect.poll(() => preview.textContent(), WAIT).toContain(`${SPOOF_NICKNAME}: hi`);
    // the name's start, its colon, then the message: left to right, as written
    const [name, colon, hi] = await drawnLefts(preview, ['mal', ':', 'hi']);
    expect(name!).toBeLessThan(colon!);
    expect(colon!).toBeLessThan(hi!);

    await page.locator(`[data-testid="conversation-item"][data-conversation="${groupId}"]`).click();
    const bubble = page.getByTestId('message-bubble').last();
    await expect.poll(() => bubble.getByTestId('sender-name').textContent(), WAIT).toContain(SPOOF_NICKNAME);
    // the override is the message's own: it ends at the text's edge, never before the sender's name
    const sender = await bubble.getByTestId('sender-name').boundingBox();
    const text = await bubble.getByTestId('message-text').boundingBox();
    expect(sender!.y + sender!.height).toBeLessThanOrEqual(text!.y + 1);
    const [h, i] = await drawnLefts(bubble.getByTestId('message-text'), ['hi', 'i ']);
    expect(h!).toBeLessThan(i!);

    await eveWire.ask('GROUP', { op: { case: 'quit', value: { groupId } } }, 'GROUP_RESULT');
    const line = page.getByTestId('notice-line').last();
    await expect.poll(() => line.textContent(), WAIT).toContain('left the group');
    const [nameStart, left, group] = await drawnLefts(line, ['mal', 'left', 'group']);
    expect(nameStart!).toBeLessThan(left!);
    expect(left!).toBeLessThan(group!);
  }, 60_000);

  it('an Arabic message reads right to left and sits on the right of its bubble, the sender name in place', async () => {
    const annWire = await wires.connect(ann);
    const arabic = 'مرحبا بالعالم 2026';
    await wires.sendText(annWire, bob.voipAccount, arabic);
    await page.locator(`[data-testid="conversation-item"][data-conversation="${ann.voipAccount}"]`).click();
    const body = page.getByTestId('message-text').filter({ hasText: 'مرحبا' }).last();
    await expect.poll(() => body.textContent(), WAIT).toBe(arabic);
    expect(await body.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    // the first word is drawn to the right of the second: right to left
    const [first, second] = await drawnLefts(body, ['مرحبا', 'بالعالم']);
    expect(first!).toBeGreaterThan(second!);
  }, 60_000);
});
