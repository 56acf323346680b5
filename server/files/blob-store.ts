import { createReadStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from '../storage/make-folder';
import type { Readable } from 'node:stream';

/** An inclusive byte range, as HTTP Range speaks. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where the file service keeps bytes, addressed by their sha256 (lowercase hex). The local folder
 * is one implementation; an object store can be another, behind the same five calls.
 */
export interface BlobStore {
  /** The blob's size, or undefined when there is none. */
  size(sha256: string): Promise<number | undefined>;
  /**
   * Takes a finished file in under its hash (moved, not copied); a blob already there is kept (and
   * the file removed). True when the blob is new, so a caller whose record then fails knows whose
   * bytes they are to delete.
   */
  putFile(sha256: string, path: string): Promise<boolean>;
  putBytes(sha256: string, bytes: Uint8Array): Promise<boolean>;
  /** Streams the blob or a range of it; never reads it whole into memory. */
  read(sha256: string, range?: ByteRange): Readable;
  delete(sha256: string): Promise<void>;
}

/** Blobs as files under `dir/ab/abcd…`, two hex digits of fan-out so no folder grows huge. */
export function createLocalBlobStore(dir: string): BlobStore {
  const pathOf = (sha256: string) => {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(dir, sha256.slice(0, 2), sha256);
  };
  const size = async (sha256: string) => {
    try {
      return (await stat(pathOf(sha256))).size;
    } catch {
      return undefined;
    }
  };
  return {
    size,
    async putFile(sha256, path) {
      if ((await size(sha256)) !== undefined) {
        await rm(path, { force: true });
        return false;
      }
      await makeFolder(join(dir, sha256.slice(0, 2)));
      await rename(path, pathOf(sha256));
      return true;
    },
    async putBytes(sha256, bytes) {
      if ((await size(sha256)) !== undefined) return false;
      await makeFolder(join(dir, sha256.slice(0, 2)));
      // written aside then renamed, so a reader never sees half a blob
      const partial = `${pathOf(sha256)}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, pathOf(sha256));
      return true;
    },
    read: (sha256, range) => createReadStream(pathOf(sha256), range ? { start: range.start, end: range.end } : {}),
    delete: (sha256) => rm(pathOf(sha256), { force: true }),
  };
}
