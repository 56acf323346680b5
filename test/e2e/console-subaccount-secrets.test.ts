/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol';
import { TestClient } from '../support/test-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { seriousViolations } from './support/axe';
import { ensureConsoleBuilt } from './support/console-build';
import { launchChromium } from './support/web-app';

const WAIT = { timeout: 15_000 };

/** The page's words in each language, as a reader sees them. */
const WORDS = {
  'en-US': {
    appsHeading: 'Apps',
    signIn: 'Sign in',
    subs: 'Sub-accounts',
    newSecretsFor: (name: string) => `New secrets for ${name}`,
    stopWorking: /The old ones stop working at once/,
    yes: 'Yes, make new secrets',
    cancel: 'Cancel',
    renewed: (name: string) => `New secrets for “${name}”. The old ones no longer work, and these are shown only now:`,
    done: 'Done, I saved them',
  },
  'zh-CN': {
    appsHeading: '应用',
    signIn: '登录',
    subs: '子账号',
    newSecretsFor: (name: string) => `为 ${name} 重新生成密钥`,
    stopWorking: /旧的立即失效/,
    yes: '确认生成',
    cancel: '取消',
    renewed: (name: string) => `已为“${name}”生成新密钥。旧的已失效，新的只显示这一次：`,
    done: '已保存，关闭',
  },
} as const;

/**
 * A developer gives a sub-account new secrets from the console (the answer to a create whose
 * secrets were lost): asked first, shown once, and the old password stops logging in.
 */
describe('the console gives a sub-account new secrets', () => {
  let server: TestServer;
  let browser: Browser;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startTestServer();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(clients.map((c) => c.close()));
    await server?.stop();
  });

  async function passwordLogin(voipAccount: string, password: string): Promise<unknown> {
    const client = await TestClient.connect(server.port);
    clients.push(client);
    await client.hello();
    return client.loginWithPassword(voipAccount, password).then(
      () => 'logged in',
      (error: { code?: number }) => error.code,
    );
  }

  async function signIn(locale: keyof typeof WORDS): Promise<Page> {
    // axe is injected as a script: only a context that bypasses the page's CSP lets it in
    const page = await (await browser.newContext({ locale, viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    await page.goto(`http://127.0.0.1:${server.httpPort}/console`);
    await page.getByLabel('ACCOUNT SID').fill(server.accountSid);
    await page.getByLabel('AUTH TOKEN').fill(server.authToken);
    await page.getByRole('button', { name: WORDS[locale].signIn }).click();
    await page.getByRole('heading', { name: WORDS[locale].appsHeading }).waitFor(WAIT);
    await page.getByRole('button', { name: /test app/ }).click();
    return page;
  }

  for (const locale of ['en-US', 'zh-CN'] as const) {
    it(`asks first, shows the new secrets once, and the old password stops working (${locale})`, async () => {
      const words = WORDS[locale];
      const name = `judy-${locale}`;
      const user = server.createUser(name);
      const page = await signIn(locale);
      const subs = page.getByRole('region', { name: words.subs });
      await subs.getByRole('rowheader', { name }).waitFor(WAIT);

      // asked first: a no changes nothing
      await subs.getByRole('button', { name: words.newSecretsFor(name) }).click();
      const question = subs.getByRole('group', { name: words.newSecretsFor(name) });
      await question.waitFor(WAIT);
      expect(await question.textContent()).toMatch(words.stopWorking);
      expect(await question.evaluate((box) => box === document.activeElement)).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await question.getByRole('button', { name: words.cancel }).click();
      await question.waitFor({ state: 'detached', ...WAIT });
      expect(await passwordLogin(user.voipAccount, user.voipPwd)).toBe('logged in');

      // a yes: the new secrets, shown this once, and the old password refused
      await subs.getByRole('button', { name: words.newSecretsFor(name) }).click();
      await question.getByRole('button', { name: words.yes }).click();
      const shown = subs.getByRole('status').filter({ hasText: words.renewed(name) });
      await shown.waitFor(WAIT);
      expect(await question.count()).toBe(0);
      const fact = (term: string) => shown.locator('div', { has: page.locator('dt', { hasText: term }) }).locator('dd').textContent();
      const voipPwd = (await fact('voipPwd'))!.trim();
      const subToken = (await fact('subToken'))!.trim();
      expect(voipPwd).toMatch(/^[A-Za-z0-9]{12}$/);
      expect(voipPwd).not.toBe(user.voipPwd);
      expect(subToken).toMatch(/^[0-9a-f]{32}$/);
      expect((await fact('voipAccount'))!.trim()).toBe(user.voipAccount);
      expect(await seriousViolations(page)).toEqual([]);
      expect(await passwordLogin(user.voipAccount, user.voipPwd)).toBe(ErrorCode.WRONG_PASSWORD);
      expect(await passwordLogin(user.voipAccount, voipPwd)).toBe('logged in');

      // once dismissed, nothing on the page shows them again
      await shown.getByRole('button', { name: words.done }).click();
      await shown.waitFor({ state: 'detached', ...WAIT });
      expect(await page.locator('body').innerText()).not.toContain(voipPwd);
      await page.reload();
      await page.getByRole('button', { name: /test app/ }).click();
      await subs.getByRole('rowheader', { name }).waitFor(WAIT);
      expect(await page.locator('body').innerText()).not.toContain(voipPwd);
      await page.context().close();
    }, 90_000);
  }
});
