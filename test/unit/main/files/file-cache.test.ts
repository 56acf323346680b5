import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../protocol';
import { openFileCache, type FileCache } from '../../../../main/files/file-cache';

const id = (n: number) => n.toString(16).padStart(32, '0');
let dir: string;
let clock: ManualClock;
let cache: FileCache;
let downloads: number;

const bytes = (n: number) => async (dest: string) => {
  downloads++;
  writeFileSync(dest, Buffer.alloc(n, 7));
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magpie-file-cache-'));
  clock = new ManualClock(1_000);
  downloads = 0;
  cache = openFileCache({ dir, maxBytes: 250, clock });
});
afterEach(() => {
  cache.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

describe('the file cache', () => {
  it('fetches a file once and serves it from disk after, across a reopen (offline)', async () => {
    const first = await cache.fetch(id(1), 'image/png', bytes(100));
    clock.advance(1);
    const again = await cache.fetch(id(1), 'image/png', bytes(100));
    expect(again.path).toBe(first.path);
    expect(downloads).toBe(1);
    cache.close();
    cache = openFileCache({ dir, maxBytes: 250, clock });
    expect(cache.get(id(1))).toMatchObject({ size: 100, mime: 'image/png' });
  });

  it('evicts the least recently used files past its cap', async () => {
    await cache.fetch(id(1), 'a/b', bytes(100));
    clock.advance(1);
    await cache.fetch(id(2), 'a/b', bytes(100));
    clock.advance(1);
    cache.get(id(1)); // used again: now 2 is the oldest
    clock.advance(1);
    await cache.fetch(id(3), 'a/b', bytes(100));
    expect(cache.get(id(2))).toBeUndefined();
    expect(existsSync(join(dir, 'bytes', id(2)))).toBe(false);
    expect(cache.get(id(1))).toBeDefined();
    expect(cache.get(id(3))).toBeDefined();
    expect(cache.totalBytes()).toBe(200);
  });

  it('downloads a file once when it is asked for again while its download runs', async () => {
    const slow = async (dest: string) => {
      downloads++;
      await new Promise((resolve) => setTimeout(resolve, 30));
      writeFileSync(dest, Buffer.alloc(10, 7));
    };
    const [first, second] = await Promise.all([cache.fetch(id(4), 'image/webp', slow), cache.fetch(id(4), 'image/webp', slow)]);
    expect(downloads).toBe(1);
    expect(second).toEqual(first);
    // and once it ended, a later fetch is served from the disk, not joined to the finished one
    expect(await cache.fetch(id(4), 'image/webp', slow)).toEqual(first);
    expect(downloads).toBe(1);
  });

  it('refuses an id that could name a path outside the cache', async () => {
    await expect(cache.fetch('../../etc/passwd', 'a/b', bytes(1))).rejects.toThrow(/not a file id/);
  });
});
