/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/test-server';
import { signedInWorld } from './support/signed-in-world';
import { signIn, WAIT } from './support/web-app';

/**
 * "Sign out and forget this account" forgets the sign-in, not the chats: its question says so,
 * as the plain sign-out's does, so no one fears (or counts on) their history being erased.
 */
describe('"Sign out and forget this account"', () => {
  let server: TestServer | undefined;
  const world = signedInWorld({ name: 'e2e-forget', users: ['alice', 'bob'], viewer: 'alice', prepare: (s) => (server = s) });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  it('asks with what is forgotten and that the history stays, then leaves the form without the user id', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-logout-forget').click();
    const question = page.getByRole('dialog');
    await question.waitFor(WAIT);
    const words = await question.textContent();
    expect(words).toContain(`Sign out of ${world.user('alice').voipAccount} and forget this account on this computer?`);
    expect(words).toContain('The sign-in form will not fill it in again; your history stays here.');
    await page.getByTestId('confirm-yes').click();
    await page.getByTestId('login-form').waitFor(WAIT);
    expect(await page.getByTestId('login-user').inputValue()).toBe('');
    // what the question promised: signing in again finds the account as it was
    await signIn(page, server!, world.user('alice'));
    await page.getByTestId('conversation-list').waitFor(WAIT);
  }, 60_000);
});
