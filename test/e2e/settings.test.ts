/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, type User, signIn, openPage, tearDown } from './support/web-app';

/** Settings say what became of what was saved: on the server, or not and why. */
describe('settings', () => {
  let server: TestServer | undefined;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let alice: User;
  let page: Page;

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-settings-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    browser = await launchChromium();
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'alice') });
    apps.push(app);
    page = await openPage(browser, app.url);
    await signIn(page, server, alice);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  const status = () => page.getByTestId('settings-nickname-status');

  it('a saved nickname says so; offline it says it was not saved, keeps the typed name, and saves once back', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-nickname').fill('Alice A.');
    await page.getByTestId('settings-nickname-save').click();
    await expect.poll(() => status().textContent(), WAIT).toContain('Nickname saved');

    const { port, httpPort, dataDir } = server!;
    await server!.stop({ keepData: true });
    await expect.poll(() => page.getByTestId('connection-banner').count(), WAIT).toBe(1);
    await page.getByTestId('settings-nickname').fill('Alice Offline');
    expect(await status().textContent()).toBe('');
    await page.getByTestId('settings-nickname-save').click();
    await expect.poll(() => status().getAttribute('data-state'), WAIT).toBe('failed');
    expect(await status().textContent()).toContain('Not saved: not connected to the server');
    expect(await status().getAttribute('role')).toBe('alert');
    // the typed name stays, to save again
    await page.waitForTimeout(1_000);
    expect(await page.getByTestId('settings-nickname').inputValue()).toBe('Alice Offline');

    server = await startTestServer({ dataDir, port, httpPort });
    await expect.poll(() => page.getByTestId('connection-banner').count(), { timeout: 75_000 }).toBe(0);
    await page.getByTestId('settings-nickname-save').click();
    await expect.poll(() => status().textContent(), WAIT).toContain('Nickname saved');
    await page.reload();
    await page.getByTestId('nav-settings').click();
    await expect.poll(() => page.getByTestId('settings-nickname').inputValue(), WAIT).toBe('Alice Offline');
  }, 150_000);
});
