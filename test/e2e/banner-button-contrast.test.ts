/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { TestClient } from '../support/test-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, signIn, startWebApp, tearDown, WAIT, type User, type WebApp } from './support/web-app';

/** WCAG's contrast ratio of two opaque `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string): number => {
    const [r = 0, g = 0, bl = 0] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi = 0, lo = 0] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The connection banner's buttons stand on the red of a refused sign-in: their words must be
 * readable there, not white on a white button. A session another desktop ended with a forced
 * sign-in, or whose remembered sign-in the server refuses, is the sign-in form under the banner
 * that says so (not the chats under it).
 */
describe('the session-ended and refused banners', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let alice: User;

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-banner-contrast-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    browser = await launchChromium();
    apps.push(await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'alice') }));
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  it('reopened after another desktop signed in with force, shows the form and why; a refused sign-in shows "Retry now" in readable words', async () => {
    let page = await openPage(browser, apps[0]!.url);
    await signIn(page, server, alice);
    const other = await TestClient.connect(server.port);
    try {
      await other.hello();
      await other.loginWithPassword(alice.voipAccount, alice.voipPwd, { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.FORCE });
      await page.getByTestId('login-form').waitFor(WAIT);
      await page.reload();
      await page.getByTestId('login-form').waitFor(WAIT);
      const ended = page.locator('[data-testid="connection-banner"][data-state="ended"]');
      await ended.waitFor(WAIT);
      expect(await ended.textContent()).toContain('signed in on another');
    } finally {
      await other.close();
    }

    // remembered, then refused at the next start: the app was taken offline meanwhile
    await page.getByTestId('login-secret').fill(alice.voipPwd);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('conversation-list').waitFor(WAIT);
    await apps[0]!.stop();
    server.server.access.setAppState(server.appId, 'offline', 'the app was taken offline');
    apps.push(await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'alice') }));
    page = await openPage(browser, apps[1]!.url);
    const button = page.locator('[data-testid="connection-banner"][data-state="refused"] [data-testid="banner-retry"]');
    await button.waitFor(WAIT);
    expect(await button.textContent()).toContain('Retry now');
    const { color, background } = await button.evaluate((element) => {
      const style = getComputedStyle(element);
      return { color: style.color, background: style.backgroundColor };
    });
    expect(contrast(color, background), `${color} on ${background}`).toBeGreaterThanOrEqual(4.5);
  }, 90_000);
});
