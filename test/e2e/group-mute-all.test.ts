/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, signIn, startWebApp, tearDown, WAIT, type WebApp } from './support/web-app';
import { wireUsers, type Account } from './support/wire-users';

/**
 * Mute all as two people live it, each in their own browser: the owner turns it on in the group's
 * details, the member's chat closes at once with the notice, and opens again when it is lifted.
 */
describe('mute all in the UI, the owner and a member side by side', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let ann: Account;
  let bob: Account;
  let owner: Page;
  let member: Page;
  const wires = wireUsers(() => server, 'group-mute-all');

  const item = (page: Page, id: string) => page.locator(`[data-testid="conversation-item"][data-conversation="${id}"]`);
  const bubble = (page: Page, text: string) => page.getByTestId('message-bubble').filter({ hasText: text });
  const notices = (page: Page) => page.getByTestId('notice-line').allTextContents();
  /** Where the focus is, and the live region around it. */
  const closedFocus = (page: Page) =>
    page.evaluate(() => {
      const active = document.activeElement;
      const region = active?.closest('[aria-live]');
      return { focused: active?.getAttribute('data-testid') ?? active?.tagName, live: region?.getAttribute('aria-live'), role: region?.getAttribute('role') };
    });

  async function openApp(user: Account, name: string): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, name) });
    apps.push(app);
    const page = await openPage(browser, app.url);
    await signIn(page, server, user);
    return page;
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-group-mute-all-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    ann = server.createUser('ann');
    bob = server.createUser('bob');
    browser = await launchChromium();
    owner = await openApp(ann, 'ann');
    member = await openApp(bob, 'bob');
  }, 120_000);

  afterAll(async () => {
    await wires.close();
    await tearDown({ browser, apps, server, work });
  });

  it("the owner's switch closes the member's composer live, keeping the draft, and opening it again lets the member send", async () => {
    const annWire = await wires.connect(ann);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Quiet room', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    await wires.sendText(annWire, groupId, 'welcome, everyone');

    // the member has the chat open and a draft typed, not sent
    await item(member, groupId).click(WAIT);
    await bubble(member, 'welcome, everyone').waitFor(WAIT);
    await member.getByTestId('composer-input').fill('a draft I keep');

    await item(owner, groupId).click(WAIT);
    await owner.getByTestId('group-info-toggle').click(WAIT);
    const toggle = owner.getByTestId('group-mute-all');
    await toggle.click(WAIT);
    await expect.poll(() => notices(owner), WAIT).toContainEqual(expect.stringMatching(/turned on mute all/));
    expect(await toggle.isChecked()).toBe(true);

    // the member's chat: closed, saying why, with the notice in the timeline, and nothing to send with
    await expect.poll(() => member.getByTestId('composer-disabled').textContent(), WAIT).toContain('All members are muted');
    await expect.poll(() => notices(member), WAIT).toContainEqual(expect.stringMatching(/turned on mute all/));
    // the focus the composer held goes to the words saying why, which a polite live region announces
    expect(await closedFocus(member)).toEqual({ focused: 'composer-disabled', live: 'polite', role: 'status' });
    expect(await member.getByTestId('composer-input').count()).toBe(0);
    expect(await member.getByTestId('composer-send').count()).toBe(0);
    expect(await member.getByTestId('attach-button').count()).toBe(0);
    // the member's details say it, read-only
    await member.getByTestId('group-info-toggle').click(WAIT);
    await expect.poll(() => member.getByTestId('group-mute-all-state').textContent(), WAIT).toContain('Mute all: on');
    expect(await member.getByTestId('group-mute-all').count()).toBe(0);
    // the owner still speaks
    expect(await owner.getByTestId('composer-disabled').count()).toBe(0);
    await owner.getByTestId('composer-input').fill('only me for now');
    await owner.getByTestId('composer-send').click(WAIT);
    await expect.poll(() => bubble(owner, 'only me for now').getAttribute('data-state'), WAIT).toMatch(/sent|read/);
    await bubble(member, 'only me for now').waitFor(WAIT);

    await toggle.click(WAIT);
    await expect.poll(() => notices(owner), WAIT).toContainEqual(expect.stringMatching(/turned off mute all/));
    expect(await toggle.isChecked()).toBe(false);

    // live again, the draft where it was, and a send goes through
    await expect.poll(() => notices(member), WAIT).toContainEqual(expect.stringMatching(/turned off mute all/));
    const input = member.getByTestId('composer-input');
    await input.waitFor(WAIT);
    expect(await member.getByTestId('composer-disabled').count()).toBe(0);
    expect(await member.getByTestId('group-mute-all-state').count()).toBe(0);
    expect(await input.inputValue()).toBe('a draft I keep');
    await member.getByTestId('composer-send').click(WAIT);
    await expect.poll(() => bubble(member, 'a draft I keep').getAttribute('data-state'), WAIT).toMatch(/sent|read/);
    await bubble(owner, 'a draft I keep').waitFor(WAIT);
    for (const page of [owner, member]) expect(await page.locator('[data-testid="toasts"] .toast.error').allTextContents()).toEqual([]);
  }, 90_000);

  it("the member's open location dialog closes with the composer, so nothing is sent into the muted group", async () => {
    const annWire = await wires.connect(ann);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Map room', mode: pb.GroupMode.PUBLIC, members: [bob.voipAccount] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    await wires.sendText(annWire, groupId, 'where are you?');
    await item(member, groupId).click(WAIT);
    await bubble(member, 'where are you?').waitFor(WAIT);
    await member.getByTestId('location-button').click(WAIT);
    await member.getByTestId('location-link').fill('39.9, 116.4');

    await annWire.ask('GROUP', { op: { case: 'modify', value: { groupId, muteAll: true } } }, 'GROUP_RESULT');
    await expect.poll(() => member.getByTestId('composer-disabled').count(), WAIT).toBe(1);
    expect(await member.getByTestId('location-send').count()).toBe(0);
    // the dialog's focus does not fall to the page either
    await expect.poll(() => closedFocus(member), WAIT).toEqual({ focused: 'composer-disabled', live: 'polite', role: 'status' });
    expect(await member.getByTestId('message-bubble').filter({ hasText: '39.9' }).count()).toBe(0);
  }, 60_000);
});
