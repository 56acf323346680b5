import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small file system of its own (tmpfs with size=...), so a test can fill it to the last byte
 * and free it again without touching the machine's disks. Needs root (mount).
 */
export interface SmallFilesystem {
  readonly path: string;
  /** Writes a filler file until the file system is full (ENOSPC); returns the bytes written. */
  fill(): number;
  /** Deletes the filler: the space comes back. */
  free(): void;
  /** Unmounts and removes the mount point; safe to call twice. */
  remove(): void;
}

export type FilesystemAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether this machine lets the test mount a tmpfs: root, and a sandbox that allows mounts. */
export function smallFilesystemAvailability(): FilesystemAvailability {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root: mounting a small tmpfs needs CAP_SYS_ADMIN' };
  const probe = mkdtempSync(join(tmpdir(), 'magpie-fs-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { encoding: 'utf8' });
    if (mounted.error) return { ok: false, reason: `mount could not run: ${mounted.error.message}` };
    if (mounted.status !== 0) {
      const message = (mounted.stderr || '').trim();
      if (/not permitted|permission denied|read-only/i.test(message)) return { ok: false, reason: `this sandbox does not allow mounts: ${message}` };
      // root with a mount command that fails otherwise: unexpected, so the setup runs and fails on it
      return { ok: true };
    }
    spawnSync('umount', [probe]);
    return { ok: true };
  } finally {
    rmSync(probe, { recursive: true, force: true, maxRetries: 5 });
  }
}

export function mountSmallFilesystem(sizeBytes: number): SmallFilesystem {
  const path = mkdtempSync(join(tmpdir(), 'magpie-fs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', path]);
  const filler = join(path, 'filler');
  let mounted = true;
  return {
    path,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      let written = 0;
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      // the last partial page: small writes until not even one byte fits
      const tail = openSync(filler, 'a');
      try {
        for (;;) written += writeSync(tail, Buffer.alloc(512));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(tail);
      }
      return written;
    },
    free() {
      try {
        unlinkSync(filler);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },
    remove() {
      if (!mounted) return;
      mounted = false;
      // a process that still holds a file there (a killed server's log) makes a plain umount fail
      if (spawnSync('umount', [path]).status !== 0) spawnSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
