import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { restClient } from '../integration/rest/rest-fixture';
import type { TestServer } from '../support/test-server';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';

/**
 * The "System" chat holds what the app server sends as itself (no `from`): nobody reads a reply,
 * so the chat has no composer, only a line that says it is a notification chat.
 */
describe('the System chat', () => {
  let server: TestServer | undefined;
  const world = signedInWorld({ name: 'e2e-system-chat', users: ['bob'], viewer: 'bob', prepare: (s) => (server = s) });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  it('is read-only: no composer, a line saying it is a notification chat, in English and in Chinese', async () => {
    const call = restClient(`http://127.0.0.1:${server!.httpPort}`, server!.accountSid, server!.authToken);
    const sent = await call('POST', `/v1/accounts/{sid}/apps/${server!.appId}/messages`, {
      to: world.user('bob').voipAccount,
      message: { type: 'text', text: 'your order shipped' },
    });
    expect(sent.status, sent.text).toBe(200);
    const row = page.locator('[data-testid="conversation-item"][data-conversation="system"]');
    await row.waitFor(WAIT);
    await row.click();
    await expect.poll(() => page.getByTestId('message-text').last().textContent(), WAIT).toBe('your order shipped');
    await expect.poll(() => page.getByTestId('composer-disabled').textContent(), WAIT).toContain('Notification chat: replies cannot be sent');
    expect(await page.getByTestId('composer-input').count()).toBe(0);
    expect(await page.getByTestId('composer-send').count()).toBe(0);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('zh-CN');
    await page.getByTestId('nav-chats').click();
    await row.click();
    await expect.poll(() => page.getByTestId('composer-disabled').textContent(), WAIT).toContain('通知会话：无法回复');
  }, 60_000);
});
