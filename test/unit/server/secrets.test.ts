import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, hashSecret, randomHex32, randomPassword, verifySecret } from '../../../server/identity/secrets';
import { loadOrCreateServerKey } from '../../../server/identity/server-key';

describe('secrets', () => {
  it('makes 32-hex tokens and typeable passwords', () => {
    expect(randomHex32()).toMatch(/^[0-9a-f]{32}$/);
    expect(randomHex32()).not.toBe(randomHex32());
    expect(randomPassword()).toMatch(/^[A-Za-z2-9]{12}$/);
  });

  it('hashes with scrypt, salted, and verifies only the right secret', async () => {
    const hash = hashSecret('open sesame', 1024);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(hash).not.toContain('open sesame');
    expect(hashSecret('open sesame', 1024)).not.toBe(hash);
    expect(await verifySecret('open sesame', hash)).toBe(true);
    expect(await verifySecret('open sesamE', hash)).toBe(false);
    expect(await verifySecret('open sesame', 'not-a-hash')).toBe(false);
  });

  it('compares strings of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('keeps the server key in a 0600 file and opens what it sealed, for the same context only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-key-'));
    try {
      const key = loadOrCreateServerKey(dir);
      expect(((await stat(join(dir, 'server.key'))).mode & 0o777).toString(8)).toBe('600');
      const sealed = key.seal('the app token', 'app-1');
      expect(sealed).not.toContain('the app token');
      // a second load (e.g. an admin command) reads the same key
      expect(loadOrCreateServerKey(dir).open(sealed, 'app-1')).toBe('the app token');
      expect(() => key.open(sealed, 'app-2')).toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
