/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/test-server';
import { signedInWorld } from './support/signed-in-world';
import { openChatWith, WAIT } from './support/web-app';

/**
 * A picture whose thumbnail the chat shows, opened while the server is out of reach: the viewer
 * shows that thumbnail, marked as a preview, rather than an empty box beside the picture the
 * user just saw; the connection banner stays in sight above it.
 */
describe('a picture opened offline', () => {
  let server: TestServer | undefined;
  const world = signedInWorld({ name: 'e2e-offline-preview', users: ['alice', 'bob'], viewer: 'bob', prepare: (s) => (server = s) });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  it('shows the thumbnail the chat has, says the full picture comes back online under the connection banner, and no toast', async () => {
    await openChatWith(page, world.user('alice').voipAccount);
    const png = await sharp({ create: { width: 800, height: 500, channels: 3, background: '#2a7' } }).png().toBuffer();
    await page.getByTestId('attach-input').setInputFiles({ name: 'field.png', mimeType: 'image/png', buffer: png });
    const bubble = page.getByTestId('message-bubble').filter({ has: page.getByTestId('media-image') });
    await expect.poll(() => bubble.getAttribute('data-state'), { timeout: 30_000 }).toMatch(/sent|read/);
    // a new page: the thumbnail comes from the server, the full picture was never fetched
    await page.reload();
    await page.getByTestId('conversation-list').waitFor(WAIT);
    await openChatWith(page, world.user('alice').voipAccount);
    const spot = page.getByRole('button', { name: 'Open image field.png' });
    await spot.getByTestId('media-thumb').waitFor(WAIT);

    await server!.stop({ keepData: true });
    await expect.poll(() => page.getByTestId('connection-banner').count(), WAIT).toBe(1);
    await spot.click();
    const preview = page.getByTestId('media-preview');
    await preview.waitFor(WAIT);
    expect(await preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await preview.getAttribute('alt')).toBe('field.png');
    expect(await page.getByTestId('media-full-missing').textContent()).toContain('A preview: the full picture is shown when back online');
    expect(await page.getByTestId('media-full').count()).toBe(0);
    // the banner that says why stays in sight above the viewer, and its button still takes a click
    const banner = page.getByTestId('connection-banner');
    const bannerBox = (await banner.boundingBox())!;
    const viewerBox = (await page.getByTestId('media-viewer').boundingBox())!;
    expect(viewerBox.y).toBeGreaterThanOrEqual(bannerBox.y + bannerBox.height);
    const onTop = (testId: string) =>
      page.getByTestId(testId).evaluate((element) => {
        const r = element.getBoundingClientRect();
        return element.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
      });
    expect(await onTop('connection-banner')).toBe(true);
    expect(await onTop('banner-retry')).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('toasts').textContent()).toBe('');
  }, 120_000);
});
