/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, startWebApp, type WebApp, WAIT, openChatWith, signIn, type User, tearDown } from './support/web-app';

/**
 * Voice messages between two browsers on their own web shells, the fake microphone's tone as the
 * voice. Each page counts the microphone tracks it was given (and how many still run); Alice's is
 * granted the microphone after a moment, as a person answers the permission prompt.
 */
describe('voice messages in the app', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];
  let pageA: Page;
  let pageB: Page;

  async function openApp(name: string, user: User, slowMicrophone: boolean): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, name) });
    apps.push(app);
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'en-US', permissions: ['microphone'] });
    await context.addInitScript((grantAfterMs) => {
      const tracks: MediaStreamTrack[] = [];
      (window as unknown as { liveMicrophoneTracks: () => number }).liveMicrophoneTracks = () => tracks.filter((track) => track.readyState === 'live').length;
      const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        if (grantAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, grantAfterMs));
        const stream = await ask(constraints);
        tracks.push(...stream.getTracks());
        return stream;
      };
    }, slowMicrophone ? 1_500 : 0);
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(app.url);
    await signIn(page, server, user);
    return page;
  }

  const liveTracksOf = (page: Page) => page.evaluate(() => (window as unknown as { liveMicrophoneTracks: () => number }).liveMicrophoneTracks());
  const liveTracks = () => liveTracksOf(pageA);

  async function record(page: Page, seconds: number): Promise<void> {
    await page.getByRole('button', { name: 'Record a voice message' }).click();
    await page.waitForFunction((text) => document.querySelector('[data-testid="voice-timer"]')?.textContent?.includes(text), `0:0${seconds}`, WAIT);
    await page.getByRole('button', { name: 'Stop and send' }).click();
    await page.getByTestId('voice-recorder').waitFor({ state: 'detached', ...WAIT });
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-voice-'));
    server = await startTestServer({ dataDir: join(work, 'server') });
    const alice = server.createUser('alice');
    const bob = server.createUser('bob');
    browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
    pageA = await openApp('alice', alice, true);
    pageB = await openApp('bob', bob, false);
    await openChatWith(pageA, bob.voipAccount);
    await openChatWith(pageB, alice.voipAccount);
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  it('two voice messages: starting the second pauses the first, never both at once', async () => {
    await record(pageA, 3);
    await record(pageA, 3);
    const voices = pageB.getByTestId('media-voice');
    await expect.poll(() => voices.count(), WAIT).toBe(2);
    await voices.nth(0).click();
    await expect.poll(() => voices.nth(0).getAttribute('data-playing'), WAIT).toBe('true');
    await voices.nth(1).click();
    await expect.poll(() => voices.nth(1).getAttribute('data-playing'), WAIT).toBe('true');
    expect(await voices.nth(0).getAttribute('data-playing')).toBe('false');
    await voices.nth(1).click();
    await expect.poll(() => voices.nth(1).getAttribute('data-playing'), WAIT).toBe('false');
  }, 90_000);

  it('cancelled while the microphone is being granted: no recording goes on, the microphone is released', async () => {
    const before = await pageA.getByTestId('media-voice').count();
    await pageA.getByRole('button', { name: 'Record a voice message' }).click();
    await pageA.getByRole('button', { name: 'Cancel' }).click();
    await pageA.getByTestId('voice-recorder').waitFor({ state: 'detached', ...WAIT });
    await pageA.waitForTimeout(2_500);
    expect(await liveTracks()).toBe(0);
    expect(await pageA.getByTestId('media-voice').count()).toBe(before);
  }, 60_000);

  it('a recording stops and sends itself at the longest a voice message may be, 1:00', async () => {
    // the page's clock runs on, and jumps the minute rather than the test waiting it out
    await pageA.clock.install();
    await pageA.getByRole('button', { name: 'Record a voice message' }).click();
    await pageA.getByTestId('voice-timer').waitFor(WAIT);
    expect(await pageA.getByTestId('voice-max').textContent()).toBe(' / 1:00');
    // past the slow microphone's grant (1.5 s), then to the limit
    await pageA.clock.runFor(2_000);
    await expect.poll(liveTracks, WAIT).toBe(1);
    await pageA.clock.fastForward('01:00');
    await pageA.getByTestId('voice-recorder').waitFor({ state: 'detached', ...WAIT });
    expect(await liveTracks()).toBe(0);
    const voices = pageB.getByTestId('media-voice');
    await expect.poll(() => voices.count(), WAIT).toBe(3);
    expect(await voices.nth(2).getAttribute('aria-label')).toBe('Play voice message, 60 seconds');
  }, 60_000);

  it('a recording stopped under a second is not sent: the composer says it was too short', async () => {
    await pageB.clock.install();
    // paused: the recording lasts the 900 ms run below and not a moment of the machine's own time,
    // which on a loaded machine made it a second long, and sent
    await pageB.clock.pauseAt((await pageB.evaluate(() => Date.now())) + 1_000);
    const voices = pageB.getByTestId('media-voice');
    const before = await voices.count();
    await pageB.getByRole('button', { name: 'Record a voice message' }).click();
    await expect.poll(() => liveTracksOf(pageB), WAIT).toBe(1);
    await pageB.clock.runFor(900);
    await pageB.getByRole('button', { name: 'Stop and send' }).click();
    await pageB.getByTestId('voice-recorder').waitFor({ state: 'detached', ...WAIT });
    const notice = pageB.getByTestId('voice-too-short');
    await notice.waitFor(WAIT);
    expect(await notice.textContent()).toContain('Too short');
    expect(await notice.getAttribute('role')).toBe('status');
    expect(await liveTracksOf(pageB)).toBe(0);
    // a message sent shows in one's own chat at once; give it a moment to be sure none is
    await pageB.waitForTimeout(1_000);
    expect(await voices.count()).toBe(before);
    expect(await pageA.getByTestId('media-voice').count()).toBe(before);
    // the notice is brief
    await pageB.clock.runFor(2_500);
    await notice.waitFor({ state: 'detached', ...WAIT });
  }, 60_000);
});
