import { randomBytes, scryptSync } from 'node:crypto';
import { passwordKeys, SALTED_PASSWORD_BYTES, type ScryptParams } from '../../protocol';

/**
 * What the server stores of a voipPwd: the salt, the scrypt parameters, StoredKey and ServerKey
 * (docs/protocol.md "Password login"), as `scram-scrypt$N$r$p$salt$storedKey$serverKey` (base64).
 * Neither key logs anyone in: a copied database does not give away passwords or logins, where the
 * older `scrypt$N$r$p$salt$hash` was the salted password itself, which the proof is made from.
 */
export interface PasswordVerifier {
  readonly salt: Buffer;
  readonly params: ScryptParams;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

const PREFIX = 'scram-scrypt';
const LEGACY_PREFIX = 'scrypt';
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SALT_BYTES = 16;

/** The scrypt parameters for a new password at the server's cost. */
export function scryptParams(cost: number): ScryptParams {
  return { N: cost, r: SCRYPT_R, p: SCRYPT_P };
}

/** Derives the stored form of a new password. Synchronous: it runs where a password is set, not at login. */
export function createPasswordVerifier(password: string, cost: number): string {
  const salt = randomBytes(SALT_BYTES);
  const params = scryptParams(cost);
  const salted = scryptSync(password, salt, SALTED_PASSWORD_BYTES, { ...params, maxmem: 256 * params.N * params.r });
  return formatVerifier(salt, params, salted);
}

function formatVerifier(salt: Buffer, params: ScryptParams, saltedPassword: Buffer): string {
  const { storedKey, serverKey } = passwordKeys(saltedPassword);
  return [PREFIX, params.N, params.r, params.p, salt.toString('base64'), storedKey.toString('base64'), serverKey.toString('base64')].join('$');
}

/**
 * The stored form for an older `scrypt$N$r$p$salt$hash`: its hash is scrypt(password, salt), the
 * salted password the proof starts from, so the keys follow without the password. Undefined for
 * anything else.
 */
export function verifierFromLegacyHash(stored: string): string | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== LEGACY_PREFIX) return undefined;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const salted = Buffer.from(hash, 'base64');
  if (salted.length !== SALTED_PASSWORD_BYTES) return undefined;
  return formatVerifier(Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) }, salted);
}

/** Reads a stored verifier; undefined when it is not one (a login then fails like a wrong password). */
export function parseVerifier(stored: string): PasswordVerifier | undefined {
  const parts = stored.split('$');
  if (parts.length !== 7 || parts[0] !== PREFIX) return undefined;
  const [, n, r, p, salt, storedKey, serverKey] = parts as [string, string, string, string, string, string, string];
  return {
    params: { N: Number(n), r: Number(r), p: Number(p) },
    salt: Buffer.from(salt, 'base64'),
    storedKey: Buffer.from(storedKey, 'base64'),
    serverKey: Buffer.from(serverKey, 'base64'),
  };
}
