import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockProfile } from '../../../main/shell/profile-lock';

describe('one shell per profile', () => {
  const dirs: string[] = [];
  const profile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'magpie-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('refuses a second shell on a profile held by a live one, and points to its window', () => {
    const dir = profile();
    const first = lockProfile(dir, { pid: 1001, isAlive: () => true });
    expect(first.ok).toBe(true);
    if (first.ok) first.lock.setUrl('http://127.0.0.1:4567/?token=abc');
    expect(lockProfile(dir, { pid: 1002, isAlive: () => true })).toEqual({
      ok: false,
      holder: { pid: 1001, url: 'http://127.0.0.1:4567/?token=abc' },
    });
  });

  it('takes over a lock left by a process that is gone, and frees the profile on release', () => {
    const dir = profile();
    writeFileSync(join(dir, 'shell.lock'), JSON.stringify({ pid: 999_999, url: 'http://old' }));
    const taken = lockProfile(dir, { pid: 1003, isAlive: (pid) => pid !== 999_999 });
    expect(taken.ok).toBe(true);
    if (taken.ok) taken.lock.release();
    expect(lockProfile(dir, { pid: 1004, isAlive: () => true }).ok).toBe(true);
  });

  it('takes over an unreadable lock file', () => {
    const dir = profile();
    writeFileSync(join(dir, 'shell.lock'), 'not json');
    expect(lockProfile(dir, { pid: 1005, isAlive: () => true }).ok).toBe(true);
  });
});
