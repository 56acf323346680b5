import { mkdirSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { clientStorePath } from '../store/database';

export interface CachedFile {
  readonly fileId: string;
  readonly path: string;
  readonly size: number;
  readonly mime: string;
}

export interface FileCache {
  /** The cached copy (its last use moved to now), or undefined: what offline browsing shows. */
  get(fileId: string): CachedFile | undefined;
  /**
   * The cached copy, fetched first when absent: `download` writes the bytes to the path it is
   * given. Then the least recently used files go until the cache fits its cap again.
   */
  fetch(fileId: string, mime: string, download: (dest: string) => Promise<void>): Promise<CachedFile>;
  /** Bytes the cache holds. */
  totalBytes(): number;
  close(): void;
}

export interface FileCacheOptions {
  /** The user's profile folder for files: files.db and the bytes beside it. */
  readonly dir: string;
  readonly maxBytes: number;
  readonly clock: Clock;
}

/** The cache's default cap: past it, the least recently used files go. */
export const DEFAULT_FILE_CACHE_BYTES = 1024 * 1024 * 1024;

/** Where a user's file cache lives, beside the user's message store. */
export function fileCacheDir(profileDir: string, appId: string, userId: string): string {
  return join(dirname(clientStorePath(profileDir, appId, userId)), 'files');
}

/** A file id, its thumbnail's (`.thumb`), or the viewer's scaled copy of a large image (`.view`, image-view.ts). */
const FILE_ID = /^[0-9a-f]{32}(\.thumb|\.view)?$/;

interface Row {
  file_id: string;
  size: number;
  mime: string;
}

/**
 * Every file the user has seen, kept in the profile so offline browsing shows images, plays voice
 * and opens files already fetched; a size cap with LRU eviction. Its own small SQLite file, so the
 * message store's migrations are not involved.
 */
export function openFileCache(options: FileCacheOptions): FileCache {
  const bytesDir = join(options.dir, 'bytes');
  mkdirSync(options.dir, { recursive: true });
  const db: Database = new BetterSqlite3(join(options.dir, 'files.db'));
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS file_cache (
      file_id TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      mime TEXT NOT NULL,
      last_used_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS file_cache_lru ON file_cache(last_used_ms);
  `);
  const get = db.prepare<[string], Row>('SELECT file_id, size, mime FROM file_cache WHERE file_id = ?');
  const touch = db.prepare('UPDATE file_cache SET last_used_ms = ? WHERE file_id = ?');
  const insert = db.prepare('INSERT OR REPLACE INTO file_cache (file_id, size, mime, last_used_ms) VALUES (?, ?, ?, ?)');
  const remove = db.prepare('DELETE FROM file_cache WHERE file_id = ?');
  const total = db.prepare<[], number>('SELECT COALESCE(SUM(size), 0) FROM file_cache').pluck();
  const oldest = db.prepare<[string], Row>('SELECT file_id, size, mime FROM file_cache WHERE file_id != ? ORDER BY last_used_ms LIMIT 1');
  const pathOf = (fileId: string) => {
    if (!FILE_ID.test(fileId)) throw new MagpieError(ErrorCode.INVALID_MESSAGE, `not a file id: ${JSON.stringify(fileId)}`);
    return join(bytesDir, fileId);
  };
  const view = (row: Row): CachedFile => ({ fileId: row.file_id, path: pathOf(row.file_id), size: row.size, mime: row.mime });

  async function evictFor(keep: string): Promise<void> {
    while (total.get()! > options.maxBytes) {
      const victim = oldest.get(keep);
      if (victim === undefined) return;
      remove.run(victim.file_id);
      await rm(pathOf(victim.file_id), { force: true });
    }
  }

  function lookup(fileId: string): CachedFile | undefined {
    const row = get.get(fileId);
    if (row === undefined) return undefined;
    touch.run(options.clock.now(), fileId);
    return view(row);
  }

  async function fetchOnce(fileId: string, mime: string, download: (dest: string) => Promise<void>): Promise<CachedFile> {
    const known = lookup(fileId);
    if (known) {
      const present = await stat(known.path).then(() => true, () => false);
      if (present) return known;
      remove.run(fileId);
    }
    await mkdir(bytesDir, { recursive: true });
    const path = pathOf(fileId);
    await download(path);
    const size = (await stat(path)).size;
    insert.run(fileId, size, mime, options.clock.now());
    await evictFor(fileId);
    return { fileId, path, size, mime };
  }

  const inFlight = new Map<string, Promise<CachedFile>>();
  return {
    get: lookup,
    fetch(fileId, mime, download) {
      // one download per file: a second fetch while it runs (the thumbnail asked twice) waits for it,
      // where it would write the same partial file and find it renamed away
      const running = inFlight.get(fileId);
      if (running) return running;
      const fetched = fetchOnce(fileId, mime, download).finally(() => inFlight.delete(fileId));
      inFlight.set(fileId, fetched);
      return fetched;
    },
    totalBytes: () => total.get()!,
    close: () => db.close(),
  };
}
