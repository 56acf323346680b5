/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, sendText, signIn, startWebApp, tearDown, WAIT, type WebApp } from './support/web-app';

/** A group name of the longest kind the server takes, 64 characters with no space to break at. */
const LONG_NAME = 'QuarterlyPlanningAndBudgetReviewForTheWholeEngineeringDepartment';

describe('a long group name without spaces', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let page: Page;

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-long-names-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    const alice = server.createUser('alice');
    const bob = server.createUser('bob');
    const carol = server.createUser('carol');
    browser = await launchChromium();
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, 'alice') });
    apps.push(app);
    page = await openPage(browser, app.url, { viewport: { width: 1280, height: 800 } });
    await signIn(page, server, alice);
    expect(LONG_NAME).toHaveLength(64);
    await page.getByTestId('nav-groups').click();
    await page.getByTestId('groups-create').click();
    await page.getByTestId('create-group-name').fill(LONG_NAME);
    await page.getByTestId('create-group-members').fill(`${bob.voipAccount}, ${carol.voipAccount}`);
    await page.getByTestId('create-group-submit').click();
    await page.getByTestId('group-open-chat').click();
    await sendText(page, 'hello all');
    await page.getByTestId('group-info-toggle').click();
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  for (const viewport of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
    it(`at ${viewport.width} wide stays inside the group details and leaves the header's member count whole`, async () => {
      await page.setViewportSize(viewport);
      const details = page.getByRole('complementary', { name: 'Group details' });
      await details.waitFor(WAIT);
      await page.screenshot({ path: join(process.env['MAGPIE_SHOTS'] ?? work, `long-name-${viewport.width}.png`) });

      // the panel does not scroll sideways, and the name lies inside it, its full text in the tooltip
      const panel = await details.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right }));
      expect(panel.scroll).toBeLessThanOrEqual(panel.client);
      const name = details.getByTestId('group-name');
      expect(await name.getAttribute('title')).toBe(LONG_NAME);
      expect((await name.boundingBox())!.x + (await name.boundingBox())!.width).toBeLessThanOrEqual(panel.right);

      // the header gives way with the name, never the "(3)" after it, and keeps its toggle
      const title = page.getByTestId('chat-title');
      expect(await title.getAttribute('title')).toBe(LONG_NAME);
      const count = title.locator('.count');
      expect((await count.textContent())?.trim()).toBe('(3)');
      const countBox = (await count.boundingBox())!;
      const titleBox = (await title.boundingBox())!;
      const toggle = (await page.getByTestId('group-info-toggle').boundingBox())!;
      expect(countBox.width).toBeGreaterThan(10);
      expect(countBox.x + countBox.width).toBeLessThanOrEqual(titleBox.x + titleBox.width + 0.5);
      expect(countBox.x + countBox.width).toBeLessThanOrEqual(toggle.x);
    }, 60_000);
  }
});
