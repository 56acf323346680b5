import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolderSync } from '../storage/make-folder';

export const SERVER_KEY_FILE = 'server.key';

/**
 * The server key seals secrets the server must be able to read back: the app token, which the
 * signed and app-token logins use as an HMAC key and a comparison value, so a one-way hash cannot
 * serve. A copied database alone does not reveal app tokens; the key file (mode 0600) stays in the
 * data folder, outside the database.
 */
export interface ServerKey {
  /** Encrypts a value bound to a context (e.g. the app id), so sealed values cannot be swapped. */
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
  /** A 32-byte secret for one purpose, stable across restarts and unknown to anyone without the key file. */
  derive(purpose: string): Buffer;
}

const FORMAT = 'v1';

/** Reads the key from the data folder, creating it (and the folder) on first use. */
export function loadOrCreateServerKey(dataDir: string): ServerKey {
  // on PostgreSQL no database file makes the folder first: the key is the first thing written there
  makeFolderSync(dataDir, 0o700);
  const file = join(dataDir, SERVER_KEY_FILE);
  // written whole under a name of its own, then linked into place: processes starting together
  // (a server and an admin command, a cluster's nodes on one folder) never overwrite each other's
  // key, nor read a key file that is still being written
  if (!existsSync(file)) {
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== 32) throw new Error(`${file} does not hold a 256-bit key`);
  return createServerKey(key);
}

export function createServerKey(key: Buffer): ServerKey {
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    derive(purpose) {
      return createHmac('sha256', key).update(`magpie-derive\u0000${purpose}`).digest();
    },
    open(sealed, context) {
      const [format, data] = sealed.split(':');
      if (format !== FORMAT || data === undefined) throw new Error('sealed value has an unknown format');
      const bytes = Buffer.from(data, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
