/// <reference lib="dom" />
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSignedCert } from '../support/self-signed-cert';
import { startTestServer, type TestServer } from '../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, startWebApp, tearDown, WAIT, type WebApp } from './support/web-app';

/**
 * The sign-in form reads the error's code and the address it names, never the core's English
 * message: a wrong Server addresses entry is marked, and a port of the other transport gets the
 * address to write instead, in the page's language.
 */
describe('the sign-in form on a wrong server address', () => {
  let server: TestServer;
  let browser: Browser;
  let work: string;
  const apps: WebApp[] = [];

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'magpie-wrong-port-'));
    const cert = makeSelfSignedCert(work);
    server = await startTestServer({ dataDir: join(work, 'server'), tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
    browser = await launchChromium();
  }, 120_000);

  afterAll(() => tearDown({ browser, apps, server, work }));

  async function signInWith(locale: string, servers: string): Promise<Page> {
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, `${locale}-${apps.length}`) });
    apps.push(app);
    const page = await openPage(browser, app.url, { locale, pageErrors: 'ignore' });
    await page.getByTestId('login-form').waitFor(WAIT);
    await page.getByTestId('login-servers').fill(servers);
    await page.getByTestId('login-app-id').fill(server.appId);
    await page.getByTestId('login-user').fill('wrongport01');
    await page.getByTestId('login-secret').fill('secret');
    await page.getByTestId('login-submit').click();
    return page;
  }

  const errorOf = (page: Page) => page.getByTestId('login-error').textContent();
  const serversMarked = (page: Page) => page.getByTestId('login-servers').getAttribute('aria-invalid');

  it('a plain address on the TLS port is told to write tls://, in English and in Chinese', async () => {
    const address = `127.0.0.1:${server.tlsPort}`;
    const en = await signInWith('en-US', address);
    await expect.poll(() => errorOf(en), { timeout: 30_000 }).toBe(
      `Could not reach ${address}: That port of the server speaks TLS, not plain TCP (code 170018) (that port speaks TLS: write tls://${address})`,
    );
    expect(await serversMarked(en)).toBe('true');
    const zh = await signInWith('zh-CN', address);
    await expect.poll(() => errorOf(zh), { timeout: 30_000 }).toContain(`请写成 tls://${address}`);
    expect(await errorOf(zh)).toContain('170018');
  }, 90_000);

  it('a tls:// address on the plain port is told to write tcp://, in Chinese', async () => {
    const address = `127.0.0.1:${server.port}`;
    const zh = await signInWith('zh-CN', `tls://${address}`);
    await expect.poll(() => errorOf(zh), { timeout: 30_000 }).toContain(`请改用 tcp://${address}`);
    expect(await errorOf(zh)).toContain('171013');
    expect(await serversMarked(zh)).toBe('true');
  }, 60_000);

  it('an entry that is no address is named and its field marked; a refused login marks no field', async () => {
    const page = await signInWith('en-US', `127.0.0.1:${server.port}, 127.0.0.1:99999`);
    await expect.poll(() => errorOf(page), WAIT).toContain('(code 171012): "127.0.0.1:99999"');
    expect(await serversMarked(page)).toBe('true');
    // a reachable server that refuses the app id: the address was right
    await page.getByTestId('login-servers').fill(`127.0.0.1:${server.port}`);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => errorOf(page), { timeout: 30_000 }).toMatch(/5200\d\d/);
    expect(await serversMarked(page)).toBe('false');
  }, 60_000);
});
