import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** This process's soft limit on open files. */
export function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s+/)[3];
  return soft === undefined || soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft);
}

/**
 * Raises this process's open-file limit to `wanted` with prlimit (needs root or CAP_SYS_RESOURCE
 * above the hard limit); children forked afterwards inherit it. Returns the limit now in force,
 * which is lower than wanted when raising was not allowed.
 */
export function raiseOpenFileLimit(wanted: number): number {
  if (openFileLimit() >= wanted) return openFileLimit();
  spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { stdio: 'ignore' });
  return openFileLimit();
}
