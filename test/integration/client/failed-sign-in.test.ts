import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatch } from '../../../main/api/dispatch';
import type { MagpieCore } from '../../../main/core/magpie-core';
import { openTestCore } from '../../support/test-core';
import type { MethodArgs } from '../../../preload/api';
import { startTestServer, type TestServer } from '../../support/test-server';

/** This process's open descriptors on files under dir (Linux's /proc; 0 elsewhere). */
function openFilesUnder(dir: string): number {
  if (process.platform !== 'linux') return 0;
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;
}

describe('a sign-in that fails', () => {
  let server: TestServer | undefined;
  const cores: MagpieCore[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(cores.splice(0).map((core) => core.shutdown()));
    await server?.stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  function core() {
    const profileDir = mkdtempSync(join(tmpdir(), 'magpie-failed-sign-in-'));
    dirs.push(profileDir);
    const made = openTestCore(profileDir, { loginTimeoutMs: 5_000 });
    cores.push(made);
    const dispatch = createDispatch(made.handlers, (error) => {
      throw error;
    });
    const login = (args: MethodArgs<'session.login'>) => dispatch('session.login', args);
    return { profileDir, login };
  }

  it('leaves no store in the profile: a wrong app, an unknown user, an address that is none', async () => {
    server = await startTestServer();
    const { profileDir, login } = core();
    const wrongApp = await login({ servers: [`127.0.0.1:${server.port}`], appId: 'deadbeef', auth: { type: 'appToken', user: 'alice', token: server.appToken } });
    expect(wrongApp.ok).toBe(false);
    const unknown = await login({ servers: [`127.0.0.1:${server.port}`], appId: server.appId, auth: { type: 'password', user: 'nobody', password: 'secret' } });
    expect(unknown.ok).toBe(false);
    const noAddress = await login({ servers: ['not an address'], appId: server.appId, auth: { type: 'appToken', user: 'alice', token: server.appToken } });
    expect(noAddress.ok).toBe(false);
    expect(readdirSync(profileDir).filter((name) => !['secret.key', 'settings.json', 'device-id'].includes(name))).toEqual([]);
    expect(openFilesUnder(profileDir)).toBe(0);
  });

  it('keeps the store of a user who signed in here before', async () => {
    server = await startTestServer();
    const { profileDir, login } = core();
    const first = await login({ servers: [`127.0.0.1:${server.port}`], appId: server.appId, auth: { type: 'appToken', user: 'alice', token: server.appToken } });
    expect(first.ok).toBe(true);
    const wrong = await login({ servers: [`127.0.0.1:${server.port}`], appId: server.appId, auth: { type: 'appToken', user: 'alice', token: 'f'.repeat(32) } });
    expect(wrong.ok).toBe(false);
    expect(existsSync(join(profileDir, server.appId, 'alice', 'magpie.db'))).toBe(true);
  });
});
