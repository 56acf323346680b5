import { randomBytes } from 'node:crypto';
import type { InitOf } from '../../protocol';
import {
  authMessage,
  clientProof,
  ErrorCode,
  MagpieError,
  passwordKeys,
  pb,
  saltPassword,
  serverSignature,
  signatureMatches,
  type PasswordKeys,
  type ScryptParams,
} from '../../protocol';
import type { Link } from './link';
import { timedLogin, type LoginExchange } from './login-exchange';

/**
 * The most scrypt work a server may ask of this client (N, r, p): a server, or someone posing as
 * one, cannot make a login take minutes or gigabytes. 2^20 × 8 is 1 GiB of memory.
 */
export const MAX_PASSWORD_SCRYPT = { N: 2 ** 20, r: 16, p: 4, memoryBytes: 1024 ** 3 } as const;

const CLIENT_NONCE_BYTES = 24;

export function isPasswordLogin(login: InitOf<'LOGIN'>): boolean {
  return (login.auth ?? pb.AuthType.PASSWORD) === pb.AuthType.PASSWORD;
}

/**
 * A password login on one link: AUTH_START, then LOGIN with a proof of the password, then a check
 * of the server's signature (docs/protocol.md "Password login"). The password (the login's
 * `secret`, held in memory only) never goes on the wire. The keys derived from it are kept for the
 * next login with the same salt and parameters, so a reconnect does not run scrypt again.
 */
export function createPasswordLogin(): { login(link: Link, body: InitOf<'LOGIN'>, timeoutMs: number, now: () => number): Promise<LoginExchange> } {
  let cached: { id: string; keys: PasswordKeys } | undefined;

  async function keysFor(password: string, salt: Uint8Array, params: ScryptParams): Promise<PasswordKeys> {
    const id = `${Buffer.from(salt).toString('base64')}$${params.N}$${params.r}$${params.p}`;
    if (cached?.id === id) return cached.keys;
    if (
      params.N > MAX_PASSWORD_SCRYPT.N ||
      params.r > MAX_PASSWORD_SCRYPT.r ||
      params.p > MAX_PASSWORD_SCRYPT.p ||
      128 * params.N * params.r > MAX_PASSWORD_SCRYPT.memoryBytes ||
      params.N < 2 ||
      params.r < 1 ||
      params.p < 1
    ) {
      throw new MagpieError(ErrorCode.SERVER_PROOF_FAILED, `the server asks for scrypt parameters out of bounds (N=${params.N} r=${params.r} p=${params.p})`);
    }
    const keys = passwordKeys(await saltPassword(password, salt, params));
    cached = { id, keys };
    return keys;
  }

  return {
    async login(link, body, timeoutMs, now) {
      const appId = body.appId ?? '';
      const user = body.user ?? '';
      const clientNonce = randomBytes(CLIENT_NONCE_BYTES);
      const answer = await link.request('AUTH_START', { appId, user, clientNonce }, timeoutMs);
      const challenge = answer.body;
      const params = { N: challenge.scryptN, r: challenge.scryptR, p: challenge.scryptP };
      const keys = await keysFor(body.secret ?? '', challenge.salt, params);
      const message = authMessage({ appId, user, clientNonce, serverNonce: challenge.serverNonce, salt: challenge.salt, params });
      const proof = clientProof(keys, message);
      const onWire: InitOf<'LOGIN'> = { ...body, auth: pb.AuthType.PASSWORD, secret: '', clientProof: proof };
      // timed alone: AUTH_START and scrypt before it are no part of the server clock's sample
      const exchange = await timedLogin(link, onWire, timeoutMs, now);
      // a server that does not hold the account's ServerKey cannot sign: it is not the real one
      if (!signatureMatches(serverSignature(keys.serverKey, message), exchange.result.serverSignature)) {
        throw new MagpieError(ErrorCode.SERVER_PROOF_FAILED, 'the server could not prove it knows this account');
      }
      return exchange;
    },
  };
}
