import { randomBytes, randomInt, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** 32 hex characters from 16 random bytes: account sids, tokens, app ids. */
export function randomHex32(): string {
  return randomBytes(16).toString('hex');
}

const ALPHANUMERIC = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A password people can type: letters and digits without the look-alikes (0/O, 1/l/I). */
export function randomPassword(length = 12): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** Digits only, for the generated voip accounts (the seed's style; never starts with 'g'). */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

const KEY_BYTES = 32;
const SCRYPT_R = 8;
const SCRYPT_P = 1;

function maxmemFor(cost: number): number {
  return 256 * cost * SCRYPT_R;
}

/**
 * Hashes a secret with scrypt. The result carries its parameters and salt,
 * `scrypt$N$r$p$salt$hash`, so the cost can change later without breaking stored hashes.
 */
export function hashSecret(secret: string, cost: number): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, KEY_BYTES, { N: cost, r: SCRYPT_R, p: SCRYPT_P, maxmem: maxmemFor(cost) });
  return ['scrypt', cost, SCRYPT_R, SCRYPT_P, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Checks a secret against a stored hash, off the event loop, in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  const N = Number(n);
  const options = { N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r) };
  const expected = Buffer.from(hashText, 'base64');
  const actual = await new Promise<Buffer>((resolve, reject) => {
    scrypt(secret, Buffer.from(saltText, 'base64'), expected.length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
  return timingSafeEqual(actual, expected);
}

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // compare against itself on a length mismatch, so the time does not tell the length either
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
