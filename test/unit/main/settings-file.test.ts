import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS } from '../../../protocol';
import { createKeyFileSecretBox } from '../../../main/settings/secret-box';
import { DEFAULT_SETTINGS, forgetRememberedSecret, loadRememberedAccount, loadRememberedLogin, loadSettings, saveRememberedLogin, saveSettings } from '../../../main/settings/settings-file';

const MiB = 1024 * 1024;

describe('settings and the remembered login', () => {
  it('gives the defaults for a missing or broken settings file, and keeps what is saved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-settings-'));
    const file = join(dir, 'settings.json');
    expect(loadSettings(file)).toEqual(DEFAULT_SETTINGS);
    await writeFile(file, '{ not json');
    expect(loadSettings(file)).toEqual(DEFAULT_SETTINGS);
    saveSettings(file, { ...DEFAULT_SETTINGS, language: 'zh-CN', theme: 'dark' });
    expect(loadSettings(file)).toMatchObject({ language: 'zh-CN', theme: 'dark' });
  });

  it('keeps the sign-in method; a file without it, or with one it does not know, keeps the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-settings-'));
    const file = join(dir, 'settings.json');
    saveSettings(file, { ...DEFAULT_SETTINGS, theme: 'dark', signInMethod: { type: 'signed', algorithm: 'md5' } });
    expect(loadSettings(file)).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark', signInMethod: { type: 'signed', algorithm: 'md5' } });
    await writeFile(file, JSON.stringify({ ...DEFAULT_SETTINGS, theme: 'dark' }));
    expect(loadSettings(file)).toMatchObject({ theme: 'dark' });
    expect(loadSettings(file).signInMethod).toBeUndefined();
    await writeFile(file, JSON.stringify({ ...DEFAULT_SETTINGS, theme: 'dark', signInMethod: { type: 'carrier-pigeon' } }));
    expect(loadSettings(file)).toMatchObject({ theme: 'dark' });
    expect(loadSettings(file).signInMethod).toBeUndefined();
  });

  it('never writes the password in plain text, and reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-remember-'));
    const box = createKeyFileSecretBox(join(dir, 'secret.key'));
    const file = join(dir, 'login.json');
    const login = { servers: ['127.0.0.1:8883'], appId: 'a1', auth: { type: 'password' as const, user: 'alice', password: 'pa55-秘密' } };
    saveRememberedLogin(file, box, login);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('pa55');
    expect((await stat(file)).mode & 0o077).toBe(0);
    expect((await stat(join(dir, 'secret.key'))).mode & 0o077).toBe(0);
    expect(loadRememberedLogin(file, createKeyFileSecretBox(join(dir, 'secret.key')))).toEqual(login);
  });

  it('keeps the advertised addresses beside the user’s own, and leaves an empty list out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-remember-'));
    const box = createKeyFileSecretBox(join(dir, 'secret.key'));
    const file = join(dir, 'login.json');
    const login = { servers: ['a.example:8884'], appId: 'a1', auth: { type: 'appToken' as const, user: 'u1', token: 't' } };
    saveRememberedLogin(file, box, { ...login, learnedServers: ['tls://b.example:8884', 'tcp://127.0.0.1:9'] });
    expect(loadRememberedLogin(file, box)).toEqual({ ...login, learnedServers: ['tls://b.example:8884', 'tcp://127.0.0.1:9'] });
    saveRememberedLogin(file, box, { ...login, learnedServers: [] });
    expect(loadRememberedLogin(file, box)).toEqual(login);
  });

  it("keeps the server's last limits in plain sight beside the login; a broken entry keeps the rest", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-remember-'));
    const box = createKeyFileSecretBox(join(dir, 'secret.key'));
    const file = join(dir, 'login.json');
    const login = { servers: ['127.0.0.1:8883'], appId: 'a1', auth: { type: 'appToken' as const, user: 'u1', token: 't' } };
    const serverLimits = { ...DEFAULT_SERVER_LIMITS, revokeWindowMs: 5_000, mediaBytes: { image: 3 * MiB, voice: MiB / 2, file: MiB } };
    saveRememberedLogin(file, box, { ...login, serverLimits });
    expect(loadRememberedLogin(file, box)).toEqual({ ...login, serverLimits });
    // not secret: the figures are plain JSON, only the auth is sealed
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ serverLimits });
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    for (const broken of [{ ...serverLimits, revokeWindowMs: -1 }, { revokeWindowMs: 5_000 }, 'lots']) {
      await writeFile(file, JSON.stringify({ ...saved, serverLimits: broken }));
      expect(loadRememberedLogin(file, box)).toEqual(login);
    }
  });

  it('forgets a remembered login sealed with another key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-remember-'));
    const file = join(dir, 'login.json');
    saveRememberedLogin(file, createKeyFileSecretBox(join(dir, 'k1')), {
      servers: ['127.0.0.1:1'],
      appId: 'a',
      auth: { type: 'appToken', user: 'u1', token: 't' },
    });
    expect(loadRememberedLogin(file, createKeyFileSecretBox(join(dir, 'k2')))).toBeUndefined();
  });
});

describe('the remembered login after a plain sign-out', () => {
  it('keeps the account without its secret, which no longer restores', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-remember-'));
    const box = createKeyFileSecretBox(join(dir, 'secret.key'));
    const file = join(dir, 'login.json');
    const auth = { type: 'password' as const, user: 'alice', password: 'pa55' };
    saveRememberedLogin(file, box, { servers: ['127.0.0.1:8883'], appId: 'a1', auth, caFile: '/ca.pem', learnedServers: ['tcp://127.0.0.1:9'], serverLimits: DEFAULT_SERVER_LIMITS });
    forgetRememberedSecret(file);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ servers: ['127.0.0.1:8883'], appId: 'a1', user: 'alice', caFile: '/ca.pem' });
    expect((await stat(file)).mode & 0o077).toBe(0);
    expect(loadRememberedLogin(file, box)).toBeUndefined();
    expect(loadRememberedAccount(file)).toEqual({ servers: ['127.0.0.1:8883'], appId: 'a1', userId: 'alice', caFile: '/ca.pem' });
  });

  it('removes a remembered login it cannot read, so no secret of it stays', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-remember-'));
    const file = join(dir, 'login.json');
    await writeFile(file, JSON.stringify({ servers: [], sealedAuth: 'c2VjcmV0' }));
    forgetRememberedSecret(file);
    await expect(stat(file)).rejects.toThrow();
    expect(loadRememberedAccount(file)).toBeUndefined();
    forgetRememberedSecret(file);
    await expect(stat(file)).rejects.toThrow();
  });
});
