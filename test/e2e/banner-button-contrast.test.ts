import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { TestClient } from '../support/test-client';
import type { TestServer } from '../support/test-server';
import { signedInWorld } from './support/signed-in-world';
import { WAIT } from './support/web-app';

/** WCAG's contrast ratio of two opaque `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string): number => {
    const [r = 0, g = 0, bl = 0] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi = 0, lo = 0] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The connection banner's buttons stand on the red of a session that ended or a refused sign-in:
 * their words must be readable there, not white on a white button.
 */
describe('the session-ended banner', () => {
  let server: TestServer | undefined;
  const world = signedInWorld({ name: 'e2e-banner-contrast', users: ['alice'], viewer: 'alice', prepare: (s) => (server = s) });
  let page: Page;

  beforeAll(() => {
    ({ page } = world);
  });

  it('shows "Sign in again" in readable words when reopened after another desktop signed in with force', async () => {
    const alice = world.user('alice');
    const other = await TestClient.connect(server!.port);
    try {
      await other.hello();
      await other.loginWithPassword(alice.voipAccount, alice.voipPwd, { device: pb.DeviceKind.DESKTOP, mode: pb.LoginMode.FORCE });
      // the live page goes to the sign-in form; reopened, it shows the chats under the banner
      await page.getByTestId('login-form').waitFor(WAIT);
      await page.reload();
      const button = page.getByTestId('banner-sign-in');
      await button.waitFor(WAIT);
      expect(await button.textContent()).toContain('Sign in again');
      const { color, background } = await button.evaluate((element) => {
        const style = getComputedStyle(element);
        return { color: style.color, background: style.backgroundColor };
      });
      expect(contrast(color, background), `${color} on ${background}`).toBeGreaterThanOrEqual(4.5);
    } finally {
      await other.close();
    }
  }, 60_000);
});
