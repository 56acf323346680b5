import { join } from 'node:path';

/**
 * The arguments that start a TypeScript entry of the repository in a child process, from its cached
 * bundle (bin/run-source.js): `spawn(process.execPath, [...runSource(entry), ...args])`. Starts in
 * about half the time of `--import tsx`, which the suite paid for every child.
 */
export function runSource(entry: string): string[] {
  return [join(import.meta.dirname, '../../bin/run-source.js'), entry];
}
