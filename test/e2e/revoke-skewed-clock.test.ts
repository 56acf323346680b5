/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openChatWith, sendText, signIn, startWebApp, tearDown, WAIT, type User, type WebApp } from './support/web-app';

/** The server's revoke window here: short, so a test outlives it. */
const REVOKE_WINDOW_MS = 20_000;
/** How far off the page's clock is, each way: well past the window. */
const SKEW_MS = 3 * 60_000;

/** Moves the page's Date (now and new Date()) by skewMs, as a computer whose clock is off; its timers run as ever. */
function skewedDate(skewMs: number): string {
  return `(() => {
    const RealDate = Date;
    class SkewedDate extends RealDate {
      constructor(...args) { if (args.length === 0) super(RealDate.now() + ${skewMs}); else super(...args); }
      static now() { return RealDate.now() + ${skewMs}; }
    }
    globalThis.Date = SkewedDate;
  })();`;
}

/**
 * The revoke window is the server's, measured on the server's clock (docs/client.md, "Server
 * time"): a computer whose clock is minutes off is offered Revoke on its own message for exactly
 * the window the server takes it in, neither hidden at once (a fast clock) nor offered for ever (a slow one).
 */
describe('Revoke on a computer whose clock is minutes off', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  let app: WebApp;
  let alice: User;
  let bob: User;

  const bubble = (page: Page, text: string) => page.getByTestId('message-bubble').filter({ hasText: text });
  /** Opens a bubble's menu afresh and counts its Revoke items. */
  async function revokeOffered(page: Page, text: string): Promise<number> {
    await page.keyboard.press('Escape');
    await bubble(page, text).click({ button: 'right' });
    await page.getByTestId('menu-delete').waitFor(WAIT);
    return page.getByTestId('menu-revoke').count();
  }

  async function skewedPage(skewMs: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'en-US' });
    await context.addInitScript({ content: skewedDate(skewMs) });
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(app.url);
    // the page's clock is off as intended
    expect(Math.abs((await page.evaluate(() => Date.now())) - (Date.now() + skewMs))).toBeLessThan(5_000);
    return page;
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-revoke-skewed-clock-'));
    server = await startTestServer({ dataDir: join(work, 'server'), tuning: { revokeWindowMs: REVOKE_WINDOW_MS } });
    alice = server.createUser('alice');
    bob = server.createUser('bob');
    browser = await launchChromium();
    app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'alice') });
  }, 120_000);

  afterAll(async () => {
    await tearDown({ browser, apps: [app], server, work });
  });

  it('a clock 3 minutes fast: my fresh message is offered Revoke, and the server takes it', async () => {
    const page = await skewedPage(SKEW_MS);
    await signIn(page, server, alice);
    await openChatWith(page, bob.voipAccount);
    await sendText(page, 'sent on a fast clock');
    await bubble(page, 'sent on a fast clock').and(page.locator('[data-state="sent"]')).waitFor(WAIT);
    await expect.poll(() => revokeOffered(page, 'sent on a fast clock'), WAIT).toBe(1);
    await page.getByTestId('menu-revoke').click(WAIT);
    await expect.poll(() => page.getByTestId('message-revoked').textContent(), WAIT).toMatch(/You revoked a message/);
    await page.context().close();
  }, 60_000);

  it('a clock 3 minutes slow: Revoke is offered within the window and goes when it closes, from an open menu too', async () => {
    // the same signed-in app, seen from a page whose clock is slow
    const page = await skewedPage(-SKEW_MS);
    await page.getByTestId('conversation-list').waitFor(WAIT);
    await openChatWith(page, bob.voipAccount);
    await sendText(page, 'sent on a slow clock');
    await bubble(page, 'sent on a slow clock').and(page.locator('[data-state="sent"]')).waitFor(WAIT);
    const sentAt = Date.now();
    await expect.poll(() => revokeOffered(page, 'sent on a slow clock'), WAIT).toBe(1);
    // the menu stays open while the window closes: Revoke leaves it
    await expect.poll(() => page.getByTestId('menu-revoke').count(), { timeout: REVOKE_WINDOW_MS + 15_000, interval: 500 }).toBe(0);
    expect(Date.now() - sentAt).toBeGreaterThan(REVOKE_WINDOW_MS - 5_000);
    expect(await page.getByTestId('menu-delete').count()).toBe(1);
    // and a menu opened afresh offers it no more
    expect(await revokeOffered(page, 'sent on a slow clock')).toBe(0);
    await page.context().close();
  }, 90_000);
});
