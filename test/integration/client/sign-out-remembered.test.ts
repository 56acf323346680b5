import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestCore } from '../../support/test-core';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture } from './client-fixture';

/**
 * A plain "Sign out" stays signed out: the remembered login keeps its account (for the sign-in
 * form) and loses its sealed secret, so a restart restores nothing and does not connect; "sign out
 * and forget" removes it all.
 */
describe('the remembered login after a sign-out', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('keeps the account without its secret; a restart stays signed out, and signing in again works', async () => {
    server = await startTestServer();
    const servers = [`127.0.0.1:${server.port}`];
    const profileDir = await fixture.profile();
    const rememberFile = join(profileDir, 'login.json');
    // a CA file is a file of this computer: kept with the account (a plain address never reads it for TLS)
    const caFile = join(profileDir, 'ca.pem');
    await writeFile(caFile, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    const auth = { type: 'appToken' as const, user: 'erin', token: server.appToken };

    const first = openTestCore(profileDir);
    try {
      await first.handlers['session.login']({ servers, appId: server.appId, auth, remember: true, caFile });
      expect(JSON.parse(await readFile(rememberFile, 'utf8'))).toHaveProperty('sealedAuth');
      expect(await first.handlers['session.logout']({ forget: false })).toBeNull();
      const text = await readFile(rememberFile, 'utf8');
      expect(text).not.toContain(server.appToken);
      expect(JSON.parse(text)).toEqual({ servers, appId: server.appId, user: 'erin', caFile });
      expect(first.handlers['session.remembered']({})).toEqual({ servers, appId: server.appId, userId: 'erin', caFile });
    } finally {
      await first.shutdown();
    }

    const second = openTestCore(profileDir);
    try {
      // the restart signs no one in and opens no connection; the form gets the account
      expect(await second.handlers['session.restore']({})).toBeNull();
      expect(second.handlers['session.connection']({})).toEqual({ state: 'idle' });
      expect(second.handlers['session.remembered']({})).toEqual({ servers, appId: server.appId, userId: 'erin', caFile });
      // signing in again (remembered) works, and the next start restores it
      expect(await second.handlers['session.login']({ servers, appId: server.appId, auth, remember: true, caFile })).toMatchObject({ userId: 'erin' });
    } finally {
      await second.shutdown();
    }

    const third = openTestCore(profileDir);
    try {
      expect(await third.handlers['session.restore']({})).toMatchObject({ userId: 'erin', appId: server.appId });
      // "sign out and forget": nothing is left for the form or a restart
      await third.handlers['session.logout']({ forget: true });
      expect(third.handlers['session.remembered']({})).toBeNull();
      expect(await third.handlers['session.restore']({})).toBeNull();
    } finally {
      await third.shutdown();
    }
  }, 30_000);

  it('a sign-out with nothing remembered writes nothing', async () => {
    server = await startTestServer();
    const profileDir = await fixture.profile();
    const core = openTestCore(profileDir);
    try {
      await core.handlers['session.login']({ servers: [`127.0.0.1:${server.port}`], appId: server.appId, auth: { type: 'appToken', user: 'fay', token: server.appToken } });
      await core.handlers['session.logout']({ forget: false });
      expect(core.handlers['session.remembered']({})).toBeNull();
      expect(await core.handlers['session.restore']({})).toBeNull();
    } finally {
      await core.shutdown();
    }
  }, 30_000);
});
