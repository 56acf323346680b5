import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../../support/test-server';
import { ensureRendererBuilt, launchChromium, openPage, signIn, startWebApp, tearDown, type WebApp } from './web-app';
import { wireUsers, type Account } from './wire-users';

export interface SignedInWorldOptions {
  /** Names the work folder and the wire users' client message ids. */
  readonly name: string;
  /** The users to make, by friendly name. */
  readonly users: readonly string[];
  /** The one of them the web app signs in as. */
  readonly viewer: string;
  /** Runs after the users are made, before the sign-in (a test's own rows in the server's database). */
  readonly prepare?: (server: TestServer) => void;
}

export interface SignedInWorld {
  readonly page: Page;
  /** The other people of the test, on the wire beside the UI. */
  readonly wires: ReturnType<typeof wireUsers>;
  /** The account made for this friendly name. */
  user(name: string): Account;
}

/**
 * A test file's world: its own server with these users, the web app in Chromium signed in as the
 * viewer, and the wire users the tests speak as; torn down after the file. Call it in a describe
 * block: it adds that block's beforeAll and afterAll.
 */
export function signedInWorld(options: SignedInWorldOptions): SignedInWorld {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let work: string | undefined;
  let page: Page | undefined;
  const apps: WebApp[] = [];
  const accounts = new Map<string, Account>();
  const wires = wireUsers(() => server!, options.name);

  beforeAll(async () => {
    ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), `magpie-${options.name}-`));
    server = await startTestServer({ dataDir: join(work, 'server') });
    for (const name of options.users) accounts.set(name, server.createUser(name));
    options.prepare?.(server);
    browser = await launchChromium();
    const app = await startWebApp({ server: `127.0.0.1:${server.port}`, profileDir: join(work, options.viewer) });
    apps.push(app);
    page = await openPage(browser, app.url);
    await signIn(page, server, accounts.get(options.viewer)!);
  }, 120_000);

  afterAll(async () => {
    await wires.close();
    await tearDown({ ...(browser ? { browser } : {}), apps, ...(server ? { server } : {}), ...(work ? { work } : {}) });
  });

  return {
    get page() {
      return page!;
    },
    wires,
    user(name) {
      const account = accounts.get(name);
      if (account === undefined) throw new Error(`no user ${name} in this world`);
      return account;
    },
  };
}
