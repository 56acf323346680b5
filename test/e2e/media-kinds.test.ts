/// <reference lib="dom" />
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { signedInWorld } from './support/signed-in-world';
import { WAIT, openChatWith } from './support/web-app';
import { tinyBmp } from '../support/tiny-bmp';

/** What a picked file goes out as: its bytes decide, not its name or the type the system gives it. */
describe('what a picked file is sent as', () => {
  const world = signedInWorld({ name: 'e2e-media-kinds', users: ['alice', 'bob', 'carol'], viewer: 'alice' });

  const bubble = (name: string) => world.page.locator('[data-testid="message-bubble"]').filter({ hasText: name }).or(
    world.page.locator('[data-testid="message-bubble"]').filter({ has: world.page.getByRole('button', { name: `Open image ${name}` }) }),
  );

  it('an SVG and a file named .png that is not a picture are sent as files; a GIF and a JPEG as images', async () => {
    const page = world.page;
    await openChatWith(page, world.user('bob').voipAccount);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle cx="50" cy="50" r="40" fill="red"/></svg>';
    await page.getByTestId('attach-input').setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) });
    await expect.poll(() => bubble('logo.svg').getAttribute('data-state'), WAIT).toMatch(/sent|read/);
    expect(await bubble('logo.svg').getAttribute('data-kind')).toBe('file');

    await page.getByTestId('attach-input').setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from('these are not the bytes of a picture') });
    await expect.poll(() => bubble('holiday.png').getAttribute('data-state'), WAIT).toMatch(/sent|read/);
    expect(await bubble('holiday.png').getAttribute('data-kind')).toBe('file');
    expect(await page.getByTestId('failure-reason').count()).toBe(0);

    const gif = await sharp({ create: { width: 60, height: 40, channels: 4, background: '#36c' } }).gif().toBuffer();
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c52' } }).jpeg().toBuffer();
    await page.getByTestId('attach-input').setInputFiles([{ name: 'wave.gif', mimeType: 'image/gif', buffer: gif }, { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpeg }]);
    for (const name of ['wave.gif', 'photo.jpg']) {
      await expect.poll(() => bubble(name).getAttribute('data-state'), WAIT).toMatch(/sent|read/);
      expect(await bubble(name).getAttribute('data-kind')).toBe('image');
    }
  }, 90_000);

  it('a BMP, a phone’s HEIC photo, and a text that starts with "BM", are sent as files, not as images the server cannot decode', async () => {
    const page = world.page;
    await openChatWith(page, world.user('bob').voipAccount);
    // a 2 × 2 24-bit BMP: the browser shows it, the server's image library cannot read it
    const bmp = tinyBmp();
    await page.getByTestId('attach-input').setInputFiles([
      { name: 'scan.bmp', mimeType: 'image/bmp', buffer: bmp },
      { name: 'cars.txt', mimeType: 'text/plain', buffer: Buffer.from('BMW, Audi and others\n') },
      // a HEIF file's head with the brand of a phone's HEVC photo: the server reads AVIF only
      { name: 'IMG_0001.HEIC', mimeType: 'image/heic', buffer: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]) },
    ]);
    for (const name of ['scan.bmp', 'cars.txt', 'IMG_0001.HEIC']) {
      await expect.poll(() => bubble(name).getAttribute('data-state'), WAIT).toMatch(/sent|read/);
      expect(await bubble(name).getAttribute('data-kind')).toBe('file');
    }
    expect(await page.getByTestId('failure-reason').count()).toBe(0);
  }, 60_000);

  it('an empty file is refused at once, saying it is empty, with no "Try again" that could only fail again', async () => {
    const page = world.page;
    const before = await page.locator('[data-testid="message-bubble"]').count();
    await page.getByTestId('attach-input').setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    const refusal = page.getByTestId('composer-upload');
    await refusal.waitFor(WAIT);
    expect(await refusal.textContent()).toContain('empty.txt was not sent: The file is empty (0 bytes): there is nothing to send');
    expect(await page.getByTestId('upload-retry').count()).toBe(0);
    expect(await page.locator('[data-testid="message-bubble"]').count()).toBe(before);
  }, 60_000);

  it('a file refused in one chat is not said to be "not sent" in the next chat opened', async () => {
    const page = world.page;
    await openChatWith(page, world.user('bob').voipAccount);
    await page.getByTestId('attach-input').setInputFiles({ name: 'nothing.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    await page.getByTestId('composer-upload').waitFor(WAIT);
    await openChatWith(page, world.user('carol').voipAccount);
    await expect.poll(() => page.getByTestId('chat-title').textContent(), WAIT).toContain('carol');
    expect(await page.getByTestId('composer-upload').count()).toBe(0);
  }, 60_000);
});
