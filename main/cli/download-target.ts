import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { constants, copyFile, mkdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { ErrorCode, MagpieError } from '../../protocol';
import { CliExit, ExitCode } from './cli-session';

/** How many "name (n).ext" a download tries before it gives up on a crowded folder. */
const MAX_NAME_SUFFIX = 999;

/** Makes --out DIR (and its parents); a path that is a file, not a folder, is the caller's mistake (exit 2). */
export async function prepareOutDir(dir: string): Promise<void> {
  const refuse = (why: string) => new CliExit(ExitCode.USAGE, new MagpieError(ErrorCode.BAD_ARGUMENT, `--out ${dir}: ${why}`));
  await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw refuse(error.code === 'EEXIST' || error.code === 'ENOTDIR' ? 'not a folder' : error.message);
  });
  const found = await stat(dir);
  if (!found.isDirectory()) throw refuse('not a folder');
}

/**
 * Copies a fetched file into DIR under its name, and returns where it went. A file already there
 * with the same bytes is that download (a run again copies nothing); one with other bytes is the
 * user's and is never overwritten: the copy takes "name (1).ext", "name (2).ext"..., as browsers save.
 */
export async function saveIntoFolder(source: string, dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 0; n <= MAX_NAME_SUFFIX; n++) {
    const dest = resolve(join(dir, n === 0 ? name : `${stem} (${n})${ext}`));
    try {
      // EXCL: a file that appears meanwhile is not overwritten either
      await copyFile(source, dest, constants.COPYFILE_EXCL);
      return dest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await sameBytes(source, dest)) return dest;
    }
  }
  throw new CliExit(ExitCode.USAGE, new MagpieError(ErrorCode.BAD_ARGUMENT, `${dir} holds ${name} and ${MAX_NAME_SUFFIX} numbered copies already`));
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  if (!sb.isFile() || sa.size !== sb.size) return false;
  const [ha, hb] = await Promise.all([sha256Of(a), sha256Of(b)]);
  return ha === hb;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
