import { createHash, createHmac, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * The password login's proof, shared by both ends: SCRAM-SHA-256 (RFC 5802/7677) with scrypt in
 * place of PBKDF2 and a length-prefixed auth message in place of SCRAM's text. The server keeps
 * only StoredKey and ServerKey, neither of which logs anyone in; the client proves it knows the
 * password without sending it, and checks the server's signature, which only a holder of ServerKey
 * can make. docs/protocol.md "Password login" is the same text for people.
 */
export const PASSWORD_PROOF_MECHANISM = 'magpie-scram-sha256-scrypt-v1';

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export const MIN_NONCE_BYTES = 16;
export const MAX_NONCE_BYTES = 64;
export const SALTED_PASSWORD_BYTES = 32;

/** Everything both ends saw of one exchange: what the proof and the server's signature cover. */
export interface ProofContext {
  readonly appId: string;
  readonly user: string;
  readonly clientNonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly salt: Uint8Array;
  readonly params: ScryptParams;
}

export interface PasswordKeys {
  readonly clientKey: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** Each field as a 4-byte big-endian length and its bytes: no field can pass for another. */
export function authMessage(context: ProofContext): Buffer {
  const fields: Uint8Array[] = [
    Buffer.from(PASSWORD_PROOF_MECHANISM, 'utf8'),
    Buffer.from(context.appId, 'utf8'),
    Buffer.from(context.user, 'utf8'),
    context.clientNonce,
    context.serverNonce,
    context.salt,
    Buffer.from(`${context.params.N},${context.params.r},${context.params.p}`, 'utf8'),
  ];
  const parts: Buffer[] = [];
  for (const field of fields) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(field.length);
    parts.push(length, Buffer.from(field));
  }
  return Buffer.concat(parts);
}

function hmac(key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** scrypt of the password: the slow step, run by the client at login and by the server only when a password is set. */
export function saltPassword(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const options = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(password, salt, SALTED_PASSWORD_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** RFC 5802: ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey = H(ClientKey), ServerKey = HMAC(SaltedPassword, "Server Key"). */
export function passwordKeys(saltedPassword: Uint8Array): PasswordKeys {
  const clientKey = hmac(saltedPassword, 'Client Key');
  return {
    clientKey,
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: hmac(saltedPassword, 'Server Key'),
  };
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage). */
export function clientProof(keys: Pick<PasswordKeys, 'clientKey' | 'storedKey'>, message: Uint8Array): Buffer {
  return xor(keys.clientKey, hmac(keys.storedKey, message));
}

/** ServerSignature = HMAC(ServerKey, AuthMessage). */
export function serverSignature(serverKey: Uint8Array, message: Uint8Array): Buffer {
  return hmac(serverKey, message);
}

/** The server's check: H(ClientProof XOR HMAC(StoredKey, AuthMessage)) = StoredKey, in constant time. */
export function verifyClientProof(storedKey: Uint8Array, message: Uint8Array, proof: Uint8Array): boolean {
  if (proof.length !== storedKey.length) return false;
  const clientKey = xor(proof, hmac(storedKey, message));
  return timingSafeEqual(createHash('sha256').update(clientKey).digest(), storedKey);
}

/** The client's check of the server's signature, in constant time. */
export function signatureMatches(expected: Uint8Array, actual: Uint8Array): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
