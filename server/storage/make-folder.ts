import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes a folder and its missing parents one component at a time, from the nearest ancestor that
 * exists. Node's `recursive: true` is not used on purpose: it replaces the system's reason with
 * ENOENT (a read-only file system reads "no such file or directory" instead of EROFS), and below
 * /proc it retries for ever. Here the first mkdir that fails throws its own errno.
 */
export function makeFolderSync(path: string, mode = 0o777): void {
  for (const folder of missingFoldersSync(path)) {
    try {
      mkdirSync(folder, { mode });
    } catch (error) {
      // another process made it between the look and the mkdir: a folder there is all we wanted
      if (!isExistingFolderError(error) || !isFolderSync(folder)) throw error;
    }
  }
}

/** makeFolderSync without blocking the event loop (the files service's folders, made per upload). */
export async function makeFolder(path: string, mode = 0o777): Promise<void> {
  for (const folder of await missingFolders(path)) {
    try {
      await mkdir(folder, { mode });
    } catch (error) {
      if (!isExistingFolderError(error) || !(await isFolder(folder))) throw error;
    }
  }
}

/** The folders to make, outermost first; throws what stat says when a component is not a folder. */
function missingFoldersSync(path: string): string[] {
  const missing: string[] = [];
  for (let folder = path; ; folder = dirname(folder)) {
    try {
      statSync(folder);
      // a file where a folder should be: mkdir below says EEXIST (or ENOTDIR) in the system's words
      if (missing.length === 0 && !isFolderSync(folder)) missing.push(folder);
      return missing.reverse();
    } catch (error) {
      if (!isMissingError(error) || dirname(folder) === folder) throw error;
      missing.push(folder);
    }
  }
}

async function missingFolders(path: string): Promise<string[]> {
  const missing: string[] = [];
  for (let folder = path; ; folder = dirname(folder)) {
    try {
      const found = await stat(folder);
      if (missing.length === 0 && !found.isDirectory()) missing.push(folder);
      return missing.reverse();
    } catch (error) {
      if (!isMissingError(error) || dirname(folder) === folder) throw error;
      missing.push(folder);
    }
  }
}

function isFolderSync(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function isMissingError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function isExistingFolderError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EEXIST';
}
