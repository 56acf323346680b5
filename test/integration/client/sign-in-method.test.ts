import { afterEach, describe, expect, it } from 'vitest';
import { formatCompactTimestamp, md5LoginSignature } from '../../support/test-client';
import { openTestCore } from '../../support/test-core';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture } from './client-fixture';

/**
 * The desktop core says how a session signed in (never its secret), on sign-in and on a restore
 * from the remembered login after a restart: the page's form comes back set to that method.
 */
describe('the sign-in method of a session', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('is the app token or the signed token with its algorithm, also when restored after a restart', async () => {
    server = await startTestServer();
    const servers = [`127.0.0.1:${server.port}`];
    const profileDir = await fixture.profile();
    const first = openTestCore(profileDir);
    try {
      const view = await first.handlers['session.login']({ servers, appId: server.appId, auth: { type: 'appToken', user: 'carol', token: server.appToken } });
      expect(view).toMatchObject({ userId: 'carol', signedInWith: { type: 'appToken' } });
      expect(JSON.stringify(view)).not.toContain(server.appToken);
      const timestamp = formatCompactTimestamp(Date.now(), 480);
      const signature = md5LoginSignature(server.appId, 'dana', timestamp, server.appToken);
      const signed = await first.handlers['session.login']({
        servers, appId: server.appId, remember: true,
        auth: { type: 'signed', user: 'dana', signature, timestamp, algorithm: 'md5' },
      });
      expect(signed).toMatchObject({ userId: 'dana', signedInWith: { type: 'signed', algorithm: 'md5' } });
      expect(JSON.stringify(signed)).not.toContain(signature);
    } finally {
      await first.shutdown();
    }
    const second = openTestCore(profileDir);
    try {
      expect(await second.handlers['session.restore']({})).toMatchObject({ userId: 'dana', signedInWith: { type: 'signed', algorithm: 'md5' } });
    } finally {
      await second.shutdown();
    }
  }, 30_000);
});
