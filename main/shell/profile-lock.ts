import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** Who holds a profile: the process, and the address its window is at once it is serving. */
export interface ProfileHolder {
  readonly pid: number;
  readonly url?: string;
}

export interface ProfileLock {
  /** Records where this shell's window is, so a second start can point to it. */
  setUrl(url: string): void;
  release(): void;
}

export type ProfileLockResult = { ok: true; lock: ProfileLock } | { ok: false; holder: ProfileHolder };

const LOCK_FILE = 'shell.lock';

/**
 * One shell per profile. Two shells on one profile would share one SQLite store while each core
 * holds its own connection and its own idea of what is stored, so the second one's page silently
 * misses what the first ingests; the second start is refused and told where the first is instead.
 * A lock left by a process that is gone is taken over.
 */
export function lockProfile(
  profileDir: string,
  options: { pid?: number; isAlive?: (pid: number) => boolean; lockFile?: string } = {},
): ProfileLockResult {
  const pid = options.pid ?? process.pid;
  const isAlive = options.isAlive ?? processIsAlive;
  const file = join(profileDir, options.lockFile ?? LOCK_FILE);
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder && holder.pid !== pid && isAlive(holder.pid)) return { ok: false, holder };
      rmSync(file, { force: true });
      continue;
    }
    writeFileSync(fd, JSON.stringify({ pid } satisfies ProfileHolder));
    closeSync(fd);
    let released = false;
    return {
      ok: true,
      lock: {
        setUrl(url) {
          if (!released) writeFileSync(file, JSON.stringify({ pid, url } satisfies ProfileHolder), { mode: 0o600 });
        },
        release() {
          if (released) return;
          released = true;
          if (readHolder(file)?.pid === pid) rmSync(file, { force: true });
        },
      },
    };
  }
  // another start took the stale lock between our two looks: it holds the profile now
  return { ok: false, holder: readHolder(file) ?? { pid: 0 } };
}

function readHolder(file: string): ProfileHolder | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<ProfileHolder>;
    if (!Number.isSafeInteger(value.pid)) return undefined;
    return typeof value.url === 'string' ? { pid: value.pid!, url: value.url } : { pid: value.pid! };
  } catch {
    return undefined;
  }
}

function processIsAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
