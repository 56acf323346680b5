import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, openChatWith, signIn, type User, openPage, sendText, tearDown } from './support/web-app';

/** A server set to take images up to this size: a larger one is refused until the server is set back. */
const SMALL_IMAGE_LIMIT = 100_000;

/** Images and files between two browsers, each on its own web shell, through the real file service. */
describe('media in the app', () => {
  let server: TestServer | undefined;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let pageA: Page;
  let pageB: Page;
  let alice: User;

  async function openApp(srv: TestServer, name: string, user: User): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${srv.port}`, profileDir: join(work, name) });
    apps.push(app);
    const page = await openPage(browser, app.url, { acceptDownloads: true, permissions: ['microphone'] });
    await signIn(page, srv, user);
    return page;
  }

  /**
   * A file of that many bytes, all zero and sparse: picked by its path, the browser reads it from the
   * disk itself, where a buffer would cross the DevTools pipe (seconds for every 17 MB).
   */
  async function sparseFile(name: string, bytes: number): Promise<string> {
    const path = join(work, name);
    await writeFile(path, '');
    await truncate(path, bytes);
    return path;
  }

  async function downloaded(page: Page, click: () => Promise<void>): Promise<Buffer> {
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), click()]);
    return readFile((await download.path())!);
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-media-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    const bob = server.createUser('bob');
    browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
    pageA = await openApp(server, 'alice', alice);
    pageB = await openApp(server, 'bob', bob);
    await openChatWith(pageA, bob.voipAccount);
    await openChatWith(pageB, alice.voipAccount);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  it('sends an image picked in the file chooser; the other side sees its thumbnail, opens it and saves equal bytes', async () => {
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#2a7' } }).png().toBuffer();
    await pageA.getByTestId('attach-input').setInputFiles({ name: 'meadow.png', mimeType: 'image/png', buffer: png });
    await pageA.getByTestId('media-thumb').first().waitFor(WAIT);

    const thumb = pageB.getByTestId('media-thumb').first();
    await thumb.waitFor(WAIT);
    expect(await thumb.getAttribute('src')).toMatch(/^blob:/);
    expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeLessThanOrEqual(320);
    await pageB.getByRole('button', { name: 'Open image meadow.png' }).click();
    const full = pageB.getByTestId('media-full');
    await full.waitFor(WAIT);
    expect(await full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(800);
    const saved = await downloaded(pageB, () => pageB.getByTestId('media-viewer').getByTestId('media-save').click());
    expect(Buffer.compare(saved, png)).toBe(0);
    await pageB.keyboard.press('Escape');
  }, 60_000);

  it('sends a file; the other side sees its card and downloads equal bytes', async () => {
    const bytes = randomBytes(150_000);
    await pageA.getByTestId('attach-input').setInputFiles({ name: 'notes.bin', mimeType: 'application/octet-stream', buffer: bytes });
    const card = pageB.getByTestId('media-card').filter({ hasText: 'notes.bin' });
    await card.waitFor(WAIT);
    expect(await card.textContent()).toContain('146.5 KB');
    const saved = await downloaded(pageB, () => card.getByRole('button', { name: 'Save notes.bin' }).click());
    expect(Buffer.compare(saved, bytes)).toBe(0);
    // a type the browser cannot show is downloaded, under the file's own name, not a random one
    const [download] = await Promise.all([pageB.waitForEvent('download', WAIT), card.getByRole('button', { name: 'Open notes.bin' }).click()]);
    expect(download.suggestedFilename()).toBe('notes.bin');
    expect(Buffer.compare(await readFile((await download.path())!), bytes)).toBe(0);
  }, 60_000);

  it('a file card: an icon by extension, the name cut in the middle keeping the extension, its size, and "Saved" once saved; the name is never HTML', async () => {
    const name = 'Q3 <b>board</b> report, final version for review.pdf';
    const bytes = randomBytes(Math.round(1.5 * 1024 * 1024));
    await pageA.getByTestId('attach-input').setInputFiles({ name, mimeType: 'application/pdf', buffer: bytes });
    const card = pageB.getByTestId('media-card').filter({ hasText: 'final version' });
    await card.waitFor(WAIT);
    expect(await card.getAttribute('data-kind')).toBe('pdf');
    expect(await card.locator('.badge').textContent()).toBe('PDF');
    expect(await card.locator('b').count()).toBe(0);
    const shownName = card.getByTestId('file-name');
    expect(await shownName.getAttribute('title')).toBe(name);
    expect(await shownName.textContent()).toBe(name);
    // the head is cut with an ellipsis; the tail with the extension shows whole
    const cut = await shownName.evaluate((el) => {
      const head = el.querySelector<HTMLElement>('.head')!;
      const tail = el.querySelector<HTMLElement>('.tail')!;
      return { headCut: head.scrollWidth > head.clientWidth, tail: tail.textContent, tailWhole: tail.scrollWidth <= tail.clientWidth, inside: tail.getBoundingClientRect().right <= el.getBoundingClientRect().right + 0.5 };
    });
    expect(cut).toEqual({ headCut: true, tail: 'view.pdf', tailWhole: true, inside: true });
    expect(await card.getByTestId('file-size').textContent()).toBe('1.5 MB');
    expect(await card.getByTestId('file-state').count()).toBe(0);
    // the line the state appears in is live: a screen reader hears "Saved" or "Could not…"
    expect(await card.getByTestId('file-meta').getAttribute('aria-live')).toBe('polite');
    const saved = await downloaded(pageB, () => card.getByRole('button', { name: `Save ${name}` }).click());
    expect(Buffer.compare(saved, bytes)).toBe(0);
    await expect.poll(() => card.getByTestId('file-state').textContent(), WAIT).toBe('Saved');
  }, 60_000);

  it('sends several images picked at once, in the order picked', async () => {
    const names = ['first.png', 'second.png', 'third.png'];
    const files = await Promise.all(
      names.map(async (name, i) => ({ name, mimeType: 'image/png', buffer: await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: '#37a' } }).png().toBuffer() })),
    );
    await pageA.getByTestId('attach-input').setInputFiles(files);
    await pageB.getByRole('button', { name: 'Open image third.png' }).waitFor(WAIT);
    const shown = await pageB.locator('[aria-label^="Open image "]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')));
    expect(shown.filter((label) => names.some((name) => label === `Open image ${name}`))).toEqual(names.map((name) => `Open image ${name}`));
  }, 60_000);

  it('a file over the send limit is refused at once with its size and the limit, and no "Try again" that could only fail again', async () => {
    await sendText(pageA, `a tall message before the refusal${'\n.'.repeat(40)}`);
    const list = pageA.getByTestId('message-list');
    const distanceFromEnd = () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await expect.poll(distanceFromEnd, WAIT).toBeLessThan(2);
    await pageA.getByTestId('attach-input').setInputFiles(await sparseFile('backup.zip', 17 * 1024 * 1024));
    const refusal = pageA.getByTestId('composer-upload');
    await refusal.waitFor(WAIT);
    expect(await refusal.textContent()).toContain('backup.zip was not sent: it is 17.0 MB, and files up to 16.0 MB can be sent');
    expect(await pageA.getByTestId('upload-retry').count()).toBe(0);
    // the composer grew under the list: its newest message is still in sight, not pushed below
    await expect.poll(distanceFromEnd, WAIT).toBeLessThan(2);
    // several picked at once: each refusal is said, not only the last
    await pageA.getByTestId('attach-input').setInputFiles([await sparseFile('first.zip', 17 * 1024 * 1024), await sparseFile('second.zip', 18 * 1024 * 1024)]);
    await expect.poll(() => refusal.allTextContents(), WAIT).toEqual([
      expect.stringContaining('first.zip was not sent: it is 17.0 MB'),
      expect.stringContaining('second.zip was not sent: it is 18.0 MB'),
    ]);
  }, 60_000);

  it('opens a text file in a new tab as UTF-8 text (text has no signature: its type comes from its name)', async () => {
    const text = 'meeting notes 会议记录\nline two';
    await pageA.getByTestId('attach-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
    const card = pageB.getByTestId('media-card').filter({ hasText: 'notes.txt' });
    await card.waitFor(WAIT);
    const [tab] = await Promise.all([pageB.waitForEvent('popup', WAIT), card.getByRole('button', { name: 'Open notes.txt' }).click()]);
    await tab.waitForLoadState();
    expect(await tab.evaluate(() => document.contentType)).toBe('text/plain');
    expect(await tab.evaluate(() => document.body.innerText)).toBe(text);
    await tab.close();
  }, 60_000);

  it('the image viewer covers the whole window, above the messages after the image', async () => {
    await sendText(pageA, 'a message after the image');
    await pageB.getByTestId('message-list').getByText('a message after the image').waitFor(WAIT);
    await pageB.getByRole('button', { name: 'Open image meadow.png' }).click();
    await pageB.getByTestId('media-full').waitFor(WAIT);
    const cover = await pageB.evaluate(() => {
      const backdrop = document.querySelector('[data-testid="media-viewer"]')!.parentElement!;
      const box = backdrop.getBoundingClientRect();
      const top = document.elementFromPoint(innerWidth / 2, innerHeight / 2);
      const corner = document.elementFromPoint(innerWidth - 2, innerHeight - 2);
      return {
        box: [box.left, box.top, box.width, box.height],
        window: [0, 0, innerWidth, innerHeight],
        centreInViewer: backdrop.contains(top),
        cornerIsBackdrop: corner === backdrop,
      };
    });
    expect(cover.box).toEqual(cover.window);
    expect(cover.centreInViewer).toBe(true);
    expect(cover.cornerIsBackdrop).toBe(true);
    await pageB.keyboard.press('Escape');
    await pageB.getByTestId('media-viewer').waitFor({ state: 'detached', ...WAIT });
  }, 60_000);

  it('records a voice message with a running timer; the other side plays it', async () => {
    await pageA.getByRole('button', { name: 'Record a voice message' }).click();
    const timer = pageA.getByTestId('voice-timer');
    await timer.waitFor(WAIT);
    await pageA.waitForFunction(() => document.querySelector('[data-testid="voice-timer"]')?.textContent?.includes('0:01'), undefined, WAIT);
    await pageA.getByRole('button', { name: 'Stop and send' }).click();
    await pageA.getByTestId('voice-recorder').waitFor({ state: 'detached', ...WAIT });

    const voice = pageB.getByTestId('media-voice').first();
    await voice.waitFor(WAIT);
    expect(await voice.getAttribute('aria-label')).toMatch(/^Play voice message, (1 second|([02-9]|\d\d+) seconds)$/);
    await voice.click();
    await pageB.waitForSelector('[data-testid="media-voice"][data-playing="true"]', WAIT);
    await voice.click();
    await pageB.waitForSelector('[data-testid="media-voice"][data-playing="false"]', WAIT);
  }, 60_000);

  it('an upload the server refuses stays on its bubble, failed with the reason and a Retry that sends it once the server is fixed', async () => {
    const noise = await sharp(randomBytes(256 * 256 * 3), { raw: { width: 256, height: 256, channels: 3 } }).png().toBuffer();
    expect(noise.length).toBeGreaterThan(SMALL_IMAGE_LIMIT);
    // picked while offline, against the limits of the last login: stored, its upload waits for the server
    const restart = async (tuning: TestServerOptions['tuning']) => {
      const { port, httpPort, dataDir } = server!;
      await server!.stop({ keepData: true });
      await expect.poll(() => pageA.getByTestId('connection-banner').count(), WAIT).toBe(1);
      return async () => {
        server = await startTestServer({ dataDir, port, httpPort, ...(tuning ? { tuning } : {}) });
        await expect.poll(() => pageA.getByTestId('connection-banner').count(), { timeout: 75_000 }).toBe(0);
      };
    };
    const comeBackSmall = await restart({ maxImageBytes: SMALL_IMAGE_LIMIT });
    await pageA.getByTestId('attach-input').setInputFiles({ name: 'noise.png', mimeType: 'image/png', buffer: noise });
    const bubble = pageA.locator('[data-testid="message-bubble"][data-kind="image"]').filter({ has: pageA.getByRole('button', { name: 'Open image noise.png' }) });
    await bubble.waitFor(WAIT);
    // the server comes back set to take less than the picture: its upload is refused
    await comeBackSmall();
    await expect.poll(() => bubble.getAttribute('data-state'), WAIT).toBe('failed');
    // the figures come as data with the refusal: the picture's size and the server's limit
    expect(await bubble.getByTestId('failure-reason').textContent()).toMatch(/^Not sent: it is [\d.]+ KB, and the server takes up to 97\.7 KB for this kind of file/);
    expect(await pageA.getByTestId('composer-upload').count()).toBe(0);
    // never uploaded, yet its sender sees it: thumbnail and full image from the local copy, no error toast
    await bubble.getByTestId('media-thumb').waitFor(WAIT);
    await bubble.getByRole('button', { name: 'Open image noise.png' }).click();
    const own = pageA.getByTestId('media-full');
    await own.waitFor(WAIT);
    await expect.poll(() => own.evaluate((img: HTMLImageElement) => img.naturalWidth), WAIT).toBe(256);
    expect(await pageA.getByTestId('toasts').textContent()).toBe('');
    await pageA.keyboard.press('Escape');

    // told the server's limit at that login, the composer now refuses such a picture before storing it
    await pageA.getByTestId('attach-input').setInputFiles({ name: 'noise-again.png', mimeType: 'image/png', buffer: noise });
    const refusal = pageA.getByTestId('composer-upload');
    await refusal.waitFor(WAIT);
    expect(await refusal.textContent()).toContain('noise-again.png was not sent: it is');
    expect(await refusal.textContent()).toContain('and pictures up to 97.7 KB can be sent');
    expect(await pageA.getByRole('button', { name: 'Open image noise-again.png' }).count()).toBe(0);

    // the server is fixed (its default limit) and comes back where its clients expect it
    await (await restart(undefined))();

    await bubble.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => bubble.getAttribute('data-state'), { timeout: 30_000 }).toMatch(/sent|read/);
    expect(await bubble.getByTestId('failure').count()).toBe(0);
    await pageB.getByRole('button', { name: 'Open image noise.png' }).getByTestId('media-thumb').waitFor({ timeout: 30_000 });
  }, 150_000);

  it('offline, a picture never fetched says so on its spot without a toast, and loads by itself once the server is back', async () => {
    // bob looks at another chat while the picture arrives: its thumbnail is never fetched
    const carol = server!.createUser('carol');
    await openChatWith(pageB, carol.voipAccount);
    const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#a52' } }).png().toBuffer();
    await pageA.getByTestId('attach-input').setInputFiles({ name: 'unseen.png', mimeType: 'image/png', buffer: png });
    const fromAlice = pageB.locator(`[data-testid="conversation-item"][data-conversation="${alice.voipAccount}"]`);
    await expect.poll(() => fromAlice.getAttribute('data-unread'), WAIT).toBe('1');

    const { port, httpPort, dataDir } = server!;
    await server!.stop({ keepData: true });
    await expect.poll(() => pageB.getByTestId('connection-banner').count(), WAIT).toBe(1);
    await openChatWith(pageB, alice.voipAccount);
    const spot = pageB.getByRole('button', { name: 'Open image unseen.png' });
    const placeholder = spot.getByTestId('media-placeholder');
    await expect.poll(() => placeholder.getAttribute('data-missing'), WAIT).toBe('offline');
    expect(await placeholder.textContent()).toBe('Available when back online');
    expect(await pageB.getByTestId('toasts').textContent()).toBe('');
    // the user's own click: the viewer says it in the same words, still no bare code
    await spot.click();
    await expect.poll(() => pageB.getByTestId('media-full-missing').textContent(), WAIT).toContain('Available when back online');
    await pageB.keyboard.press('Escape');
    expect(await pageB.getByTestId('toasts').textContent()).toBe('');

    server = await startTestServer({ dataDir, port, httpPort });
    await expect.poll(() => pageB.getByTestId('connection-banner').count(), { timeout: 75_000 }).toBe(0);
    const thumb = spot.getByTestId('media-thumb');
    await thumb.waitFor({ timeout: 30_000 });
    expect(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await spot.click();
    const full = pageB.getByTestId('media-full');
    await full.waitFor(WAIT);
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth), WAIT).toBe(600);
    await pageB.keyboard.press('Escape');
    expect(await pageB.getByTestId('toasts').textContent()).toBe('');
  }, 150_000);

  it('a picture too large to decode in the page shows scaled, in the bubbles and the viewer, with Open and Save for the original', async () => {
    // 16000 × 16000 is a gigabyte of pixels; one colour keeps the PNG at 3.4 MB
    const png = await sharp({ create: { width: 16_000, height: 16_000, channels: 3, background: '#c63' } }).png().toBuffer();
    await pageA.getByTestId('attach-input').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: png });
    // the sender's own bubble: never the picked file itself, a thumbnail the core scaled
    const own = pageA.getByRole('button', { name: 'Open image huge.png' }).getByTestId('media-thumb');
    await own.waitFor({ timeout: 30_000 });
    await expect.poll(() => own.evaluate((img: HTMLImageElement) => img.naturalWidth), WAIT).toBeLessThanOrEqual(320);

    const spot = pageB.getByRole('button', { name: 'Open image huge.png' });
    await spot.getByTestId('media-thumb').waitFor({ timeout: 30_000 });
    await spot.click();
    const full = pageB.getByTestId('media-full');
    await full.waitFor({ timeout: 30_000 });
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]), WAIT).toEqual([4096, 4096]);
    const viewer = pageB.getByTestId('media-viewer');
    expect(await viewer.getByTestId('media-scaled').textContent()).toContain('Shown scaled down from 16000 × 16000 pixels');
    expect(await viewer.getByTestId('media-open').count()).toBe(1);
    const saved = await downloaded(pageB, () => viewer.getByTestId('media-save').click());
    expect(Buffer.compare(saved, png)).toBe(0);
    await pageB.keyboard.press('Escape');
    expect(await pageB.getByTestId('toasts').textContent()).toBe('');
  }, 90_000);

  it('with the server stopped, bob still sees the image he saw, after a reload: thumbnail and full image from the profile', async () => {
    // a text after the images: once their thumbnails arrive it must still be in sight at the end
    await sendText(pageA, 'that is all');
    await pageB.getByTestId('message-list').getByText('that is all').waitFor(WAIT);
    await server!.stop();
    server = undefined;
    await expect.poll(() => pageB.getByTestId('connection-banner').count(), WAIT).toBe(1);
    await pageB.reload();
    await pageB.getByTestId('conversation-list').waitFor(WAIT);
    await openChatWith(pageB, alice.voipAccount);
    // the picture seen last: the earlier ones are above the chat's first page by now
    const thumb = pageB.getByRole('button', { name: 'Open image unseen.png' }).getByTestId('media-thumb');
    await thumb.waitFor(WAIT);
    expect(await thumb.getAttribute('src')).toMatch(/^blob:/);
    expect(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    // thumbnails arrive after the chat opened at its end: the view stays there, newest message in sight
    const distanceFromEnd = () => pageB.getByTestId('message-list').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await expect.poll(distanceFromEnd, WAIT).toBeLessThan(2);
    await pageB.getByRole('button', { name: 'Open image unseen.png' }).click();
    const full = pageB.getByTestId('media-full');
    await full.waitFor(WAIT);
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth), WAIT).toBe(600);
  }, 60_000);
});
