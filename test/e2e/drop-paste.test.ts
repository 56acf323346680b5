/// <reference lib="dom" />
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, openChatWith, signIn, type User, openPage, tearDown } from './support/web-app';

/**
 * Files reach a chat the ways a desktop user sends them besides the attach button: dragged from the
 * file manager onto the chat (a real drag, through DevTools' Input.dispatchDragEvent, with files
 * from the disk) and pasted from the clipboard (the real clipboard, Ctrl+V).
 */
describe('files dropped on or pasted into a chat', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let pageA: Page;
  let pageB: Page;
  let alice: User;
  let bob: User;

  async function openApp(name: string, user: User): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, name) });
    apps.push(app);
    const page = await openPage(browser, app.url, { permissions: ['clipboard-read', 'clipboard-write'] });
    await signIn(page, server, user);
    return page;
  }

  /** Drags the files at the paths from outside the window and drops them at (x, y), as a file manager does. */
  async function dropFiles(page: Page, paths: string[], at: { x: number; y: number }, beforeDrop?: () => Promise<void>): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', ...at, data });
    await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', ...at, data });
    await beforeDrop?.();
    await cdp.send('Input.dispatchDragEvent', { type: 'drop', ...at, data });
    await cdp.detach();
  }

  async function centreOf(page: Page, testId: string): Promise<{ x: number; y: number }> {
    const box = (await page.getByTestId(testId).boundingBox())!;
    return { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };
  }

  const bubbles = (page: Page) => page.getByTestId('message-bubble');

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-drop-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    alice = server.createUser('alice');
    bob = server.createUser('bob');
    browser = await launchChromium();
    pageA = await openApp('alice', alice);
    pageB = await openApp('bob', bob);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  it('files dropped on the chat are all sent to it, an image as an image and a file as a file; the chat says where they go while they hover', async () => {
    const photo = join(work, 'harbour.png');
    await writeFile(photo, await sharp({ create: { width: 64, height: 48, channels: 3, background: '#36c' } }).png().toBuffer());
    const notes = join(work, 'minutes.txt');
    await writeFile(notes, 'the minutes of the meeting');
    await openChatWith(pageA, bob.voipAccount);
    let hint = '';
    await dropFiles(pageA, [photo, notes], await centreOf(pageA, 'chat-drop-zone'), async () => {
      await pageA.getByTestId('chat-drop-hint').waitFor(WAIT);
      hint = (await pageA.getByTestId('chat-drop-hint').textContent())!.trim();
    });
    expect(hint).toBe('Drop to send to bob');
    await pageA.getByTestId('chat-drop-hint').waitFor({ state: 'detached', ...WAIT });
    await openChatWith(pageB, alice.voipAccount);
    await pageB.getByRole('button', { name: 'Open image harbour.png' }).getByTestId('media-thumb').waitFor(WAIT);
    await pageB.getByTestId('media-card').filter({ hasText: 'minutes.txt' }).waitFor(WAIT);
    // the app is still there, not the dropped file
    expect(new URL(pageA.url()).protocol).toBe('http:');
  }, 60_000);

  it('a file dropped beside the chat (on the chat list) is refused, never opened in place of the app', async () => {
    const notes = join(work, 'stray.txt');
    await writeFile(notes, 'not for anyone');
    const before = await bubbles(pageA).count();
    await pageA.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { dropSeen: string[] }).dropSeen = seen;
      // after the app's own listeners: was the browser's default (opening the file) cancelled, and the drop refused?
      for (const type of ['dragover', 'drop']) {
        window.addEventListener(type, (event) => seen.push(`${type} ${String(event.defaultPrevented)} ${(event as DragEvent).dataTransfer?.dropEffect}`));
      }
    });
    await dropFiles(pageA, [notes], await centreOf(pageA, 'conversation-list'));
    await expect.poll(() => pageA.evaluate(() => (window as unknown as { dropSeen: string[] }).dropSeen.at(-1)), WAIT).toBe('dragover true none');
    expect(await pageA.evaluate(() => (window as unknown as { dropSeen: string[] }).dropSeen.some((line) => line.startsWith('drop ')))).toBe(false);
    await pageA.waitForTimeout(500);
    expect(await bubbles(pageA).count()).toBe(before);
  }, 30_000);

  it('pasted images are all sent; a clipboard holding text too pastes the text, not a picture of it', async () => {
    await openChatWith(pageA, bob.voipAccount);
    const composer = pageA.getByTestId('composer-input');
    const before = await bubbles(pageB).count();
    // what a spreadsheet puts on the clipboard for a few cells: their text and a picture of them
    await pageA.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 30;
      canvas.height = 10;
      canvas.getContext('2d')!.fillRect(0, 0, 30, 10);
      const png = await new Promise<Blob>((done) => canvas.toBlob((blob) => done(blob!), 'image/png'));
      await navigator.clipboard.write([new ClipboardItem({ 'text/plain': new Blob(['A1\tB1'], { type: 'text/plain' }), 'image/png': png })]);
    });
    await composer.click();
    await composer.press('Control+V');
    await expect.poll(() => composer.inputValue(), WAIT).toBe('A1\tB1');
    await composer.press('Enter');
    await bubbles(pageB).filter({ hasText: 'A1' }).waitFor(WAIT);
    await pageB.waitForTimeout(500);
    expect(await bubbles(pageB).count()).toBe(before + 1);
    expect(await pageB.getByTestId('media-thumb').count()).toBe(1);

    // two screenshots pasted at once (as a file manager's copy of two images gives them): both go
    await pageA.evaluate(async () => {
      const image = async (colour: string) => {
        const canvas = document.createElement('canvas');
        canvas.width = 16;
        canvas.height = 16;
        const g = canvas.getContext('2d')!;
        g.fillStyle = colour;
        g.fillRect(0, 0, 16, 16);
        const blob = await new Promise<Blob>((done) => canvas.toBlob((b) => done(b!), 'image/png'));
        return new File([blob], '', { type: 'image/png' });
      };
      const data = new DataTransfer();
      data.items.add(await image('#c33'));
      data.items.add(await image('#3c3'));
      document.querySelector('[data-testid="composer-input"]')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => pageB.getByTestId('media-thumb').count(), WAIT).toBe(3);
    expect(await composer.inputValue()).toBe('');
  }, 60_000);
});
