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
 * Joining and inviting as a messenger's user expects: an application to an approval group carries an
 * optional message that the admins read in the request, and inviting picks people from one's chats
 * with a search box, beside the ids typed for anyone else.
 */
describe('joining and inviting to a group', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  const wires = wireUsers(() => server, 'join-invite');
  const wire = wires.connect;
  const sendText = wires.sendText;
  let ann: Account;
  let bob: Account;
  let cat: Account;
  let dan: Account;
  let pageAnn: Page;
  let pageBob: Page;

  async function openApp(name: string, user: Account): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, name) });
    apps.push(app);
    const page = await openPage(browser, app.url);
    await signIn(page, server, user);
    return page;
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-join-invite-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    ann = server.createUser('ann');
    bob = server.createUser('bob');
    cat = server.createUser('cat');
    dan = server.createUser('dan');
    browser = await launchChromium();
    pageAnn = await openApp('ann', ann);
    pageBob = await openApp('bob', bob);
  }, 120_000);

  afterAll(async () => {
    await wires.close();
    await tearDown({ browser, apps, server, work });
  });

  it('an application to an approval group carries an optional message, up to the server\'s 256 characters; the admin reads it in the request', async () => {
    const annWire = await wire(ann);
    const created = await annWire.ask('GROUP', { op: { case: 'create', value: { name: 'Book Club', mode: pb.GroupMode.APPROVAL, members: [] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;

    await pageBob.getByTestId('nav-groups').click();
    await pageBob.getByTestId('groups-find').click();
    await pageBob.getByTestId('group-search-input').fill('Book Club');
    await pageBob.getByTestId('group-search-submit').click();
    const result = pageBob.locator(`[data-testid="group-search-result"][data-group="${groupId}"]`);
    await result.getByTestId('group-apply').click(WAIT);
    const message = pageBob.getByTestId('apply-message');
    await message.fill('x'.repeat(300));
    expect((await message.inputValue()).length).toBe(256);
    // the counter is the field's description, read with it
    const counterId = (await message.getAttribute('aria-describedby'))!;
    expect(await pageBob.locator(`#${counterId}`).textContent()).toContain('256/256');
    await message.fill('I am Bob, <b>Ann</b>\'s colleague from the reading group');
    await pageBob.getByTestId('apply-send').click();
    await expect.poll(() => result.textContent(), WAIT).toContain('Request sent');
    expect(await pageBob.getByTestId('apply-dialog').count()).toBe(0);

    await pageAnn.getByTestId('nav-groups').click();
    await pageAnn.getByTestId('groups-requests').click();
    const request = pageAnn.locator(`[data-testid="request-item"][data-group="${groupId}"]`);
    await expect.poll(() => request.getByTestId('request-text').textContent(), WAIT).toContain("I am Bob, <b>Ann</b>'s colleague from the reading group");
    expect(await request.locator('b').count()).toBe(0);
  }, 60_000);

  it('the invite dialog lists the people one chats with, searchable, less the members; ids typed are invited with them', async () => {
    for (const user of [bob, cat]) await sendText(await wire(user), ann.voipAccount, `hi from ${user.friendlyName}`);
    await pageAnn.getByTestId('nav-chats').click();
    for (const user of [bob, cat]) await pageAnn.locator(`[data-testid="conversation-item"][data-conversation="${user.voipAccount}"]`).waitFor(WAIT);

    await pageAnn.getByTestId('nav-groups').click();
    await pageAnn.getByTestId('groups-create').click();
    await pageAnn.getByTestId('create-group-name').fill('Lunch crew');
    await pageAnn.getByTestId('create-group-submit').click();
    const details = pageAnn.getByTestId('group-details');
    await details.waitFor(WAIT);
    const groupId = (await details.getAttribute('data-group'))!;
    await pageAnn.locator(`[data-testid="member-row"][data-user="${ann.voipAccount}"]`).waitFor(WAIT);

    await pageAnn.getByTestId('group-invite').click();
    const candidates = () => pageAnn.getByTestId('invite-candidate').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-user')).sort());
    await expect.poll(candidates, WAIT).toEqual([bob.voipAccount, cat.voipAccount].sort());
    await pageAnn.getByTestId('invite-picker-search').fill(cat.voipAccount);
    await expect.poll(candidates, WAIT).toEqual([cat.voipAccount]);
    await pageAnn.locator(`[data-testid="invite-candidate"][data-user="${cat.voipAccount}"]`).click();
    await pageAnn.getByTestId('invite-picker-search').fill('nobody-like-this');
    expect(await pageAnn.getByTestId('invite-picker-empty').textContent()).toContain('No one matches');
    await pageAnn.getByTestId('invite-users').fill(dan.voipAccount);
    await pageAnn.getByTestId('invite-send').click();
    for (const user of [cat, dan]) await pageAnn.locator(`[data-testid="member-row"][data-user="${user.voipAccount}"]`).waitFor(WAIT);
    expect(await pageAnn.locator(`[data-testid="member-row"][data-user="${bob.voipAccount}"]`).count()).toBe(0);

    // members are not offered again
    await pageAnn.getByTestId('group-invite').click();
    await expect.poll(candidates, WAIT).toEqual([bob.voipAccount]);
    expect(groupId).toMatch(/^g/);

    // Enter in the search box filters; it does not send the invitation
    await pageAnn.getByTestId('invite-picker-search').fill(bob.voipAccount);
    await pageAnn.locator(`[data-testid="invite-candidate"][data-user="${bob.voipAccount}"]`).click();
    await pageAnn.getByTestId('invite-picker-search').press('Enter');
    await pageAnn.waitForTimeout(500);
    expect(await pageAnn.getByTestId('invite-dialog').count()).toBe(1);
    expect(await pageAnn.getByTestId('invite-error').textContent()).toBe('');
    expect(await pageAnn.locator(`[data-testid="member-row"][data-user="${bob.voipAccount}"]`).count()).toBe(0);

    // ticks alone, with nothing typed, are an invitation
    expect(await pageAnn.getByTestId('invite-users').inputValue()).toBe('');
    await pageAnn.getByTestId('invite-send').click();
    await pageAnn.locator(`[data-testid="member-row"][data-user="${bob.voipAccount}"]`).waitFor(WAIT);
    expect(await pageAnn.getByTestId('invite-dialog').count()).toBe(0);

    // everyone Ann chats with is now a member: the dialog says so, with no empty list outline
    await pageAnn.getByTestId('group-invite').click();
    await expect.poll(() => pageAnn.getByTestId('invite-picker-empty').textContent(), WAIT).toContain('Everyone you chat with is already in this group');
    expect(await pageAnn.getByTestId('invite-picker').locator('ul').count()).toBe(0);

    // nothing ticked and nothing typed is still refused
    await pageAnn.getByTestId('invite-send').click();
    await expect.poll(() => pageAnn.getByTestId('invite-error').textContent(), WAIT).not.toBe('');
    expect(await pageAnn.getByTestId('invite-dialog').count()).toBe(1);

    // ids are split on commas only: a space inside one keeps it one id, named whole
    await pageAnn.getByTestId('invite-users').fill('bad id!，cat');
    await expect.poll(() => pageAnn.getByTestId('invite-error').textContent(), WAIT).toContain('"bad id!" may contain only ASCII letters');

    // a member typed again is not invited again: the newcomer joins, a toast names the one already in
    await pageAnn.getByTestId('invite-users').fill(`${cat.voipAccount}, newcomer01`);
    await pageAnn.getByTestId('invite-send').click();
    await pageAnn.locator('[data-testid="member-row"][data-user="newcomer01"]').waitFor(WAIT);
    await expect.poll(() => pageAnn.getByTestId('toasts').textContent(), WAIT).toContain(`Already in the group, not invited again: ${cat.voipAccount}`);
  }, 60_000);

  it('creates a group named with 64 emoji, counted as the server counts (an emoji is one), and says so of 65', async () => {
    await pageAnn.getByTestId('nav-groups').click();
    await pageAnn.getByTestId('groups-create').click();
    await pageAnn.getByTestId('create-group-name').fill('🐦'.repeat(65));
    await pageAnn.getByTestId('create-group-submit').click();
    await expect.poll(() => pageAnn.getByTestId('create-group-name-error').textContent(), WAIT).toContain('A group name is 1–64 characters (this one is 65)');
    await pageAnn.getByTestId('create-group-name').fill('🐦'.repeat(64));
    expect(await pageAnn.getByTestId('create-group-name').inputValue()).toBe('🐦'.repeat(64));
    await pageAnn.getByTestId('create-group-submit').click();
    const details = pageAnn.getByTestId('group-details');
    await expect.poll(() => details.getAttribute('data-group'), WAIT).toMatch(/^g/);
    await expect.poll(async () => (await pageAnn.getByTestId('group-details').textContent())?.includes('🐦'.repeat(64)), WAIT).toBe(true);
  }, 60_000);
});

