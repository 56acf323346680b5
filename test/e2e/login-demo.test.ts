/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopLocalServer } from '../../main/local-server/local-server';
import { seriousViolations } from './support/axe';
import { ensureRendererBuilt, launchChromium, openPage, startWebApp, tearDown, WAIT, type WebApp } from './support/web-app';

/** Ports free right now (the system's picks, let go at once), so this run never meets another's demo server. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<Server>((done, fail) => {
      const server = createServer();
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => done(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

/** Connections this machine holds open whose local end is 127.0.0.1:port (Linux's /proc/net/tcp). */
function established(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local && fields[3] === '01').length;
}

/** The sign-in screen of `npm run web` with its local demo server: the demo accounts' buttons. */
describe('the sign-in screen with the local demo server', () => {
  let browser: Browser;
  let work: string;
  let demoDir: string;
  const apps: WebApp[] = [];
  let url: string;
  let ports: { client: number; tls: number; http: number };

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-e2e-login-demo-'));
    demoDir = join(work, 'local-server');
    const [client, tls, http] = await freePorts(3);
    ports = { client: client!, tls: tls!, http: http! };
    const app = await startWebApp({ demo: { dataDir: demoDir, ports }, profileDir: join(work, 'profile') });
    apps.push(app);
    url = app.url;
    browser = await launchChromium();
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server: { stop: () => stopLocalServer(demoDir) }, work }));

  /** The demo buttons' and their label's boxes, after a screenshot kept for a look (MAGPIE_SHOTS=<folder>). */
  async function demoBoxes(page: Page, shot: string) {
    const alice = page.getByTestId('login-demo-alice');
    await alice.waitFor(WAIT);
    await page.screenshot({ path: join(process.env['MAGPIE_SHOTS'] ?? work, shot) });
    const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
    return {
      label: await box('[data-testid="login-demo"] > .muted-text'),
      alice: await box('[data-testid="login-demo-alice"]'),
      bob: await box('[data-testid="login-demo-bob"]'),
      card: await box('.login-card'),
    };
  }

  it('lays the demo account buttons out together on one row, at the desktop window size and in a narrow one', async () => {
    for (const [viewport, shot] of [[{ width: 1100, height: 720 }, 'login-demo-default.png'], [{ width: 360, height: 720 }, 'login-demo-narrow.png']] as const) {
      // CSP bypassed only so the axe script can be injected
      const page = await openPage(browser, url, { viewport, bypassCSP: true });
      const { label, alice, bob, card } = await demoBoxes(page, shot);
      // both on one row, side by side, bob after alice
      expect(Math.abs(alice.y - bob.y)).toBeLessThan(2);
      expect(bob.x).toBeGreaterThan(alice.x + alice.width);
      // the row is the label's or the one under it, never split between the two
      const besideLabel = Math.abs(alice.y + alice.height / 2 - (label.y + label.height / 2)) < 4;
      const underLabel = alice.y >= label.y + label.height - 1;
      expect(besideLabel || underLabel).toBe(true);
      // inside the card, whose top (its heading) is in the window, not pushed above it by centring
      expect(bob.x + bob.width).toBeLessThanOrEqual(card.x + card.width);
      expect(card.y).toBeGreaterThanOrEqual(0);
      // the buttons are a group named by the label
      expect(await page.getByRole('group', { name: 'Demo accounts on this computer:' }).getByRole('button').count()).toBe(2);
      expect(await seriousViolations(page)).toEqual([]);
      await page.context().close();
    }
  }, 60_000);

  it('signs in with a demo account in one click, over TLS to the demo server (docs/client.md, "The local demo server")', async () => {
    const page = await openPage(browser, url);
    await page.getByTestId('login-demo-alice').click();
    // the form offers the plain address; the app dials the TLS port with the server's own certificate
    expect(await page.getByTestId('login-servers').inputValue()).toBe(`127.0.0.1:${ports.client}`);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('conversation-list').waitFor(WAIT);
    // the demo server's side of the app's connection: on its TLS port, none on its plain one
    expect(established(ports.tls)).toBe(1);
    expect(established(ports.client)).toBe(0);
    await page.context().close();
  }, 60_000);
});
