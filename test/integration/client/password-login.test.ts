import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MagpieClient } from '../../../main/client/magpie-client';
import { loginRequest } from '../../../main/client/login-request';
import { fastTestTuning } from '../../../main/engine/tuning';
import {
  bodyFrame,
  decodeFrame,
  DEFAULT_WIRE_LIMITS,
  encodeFrame,
  ErrorCode,
  FrameDecoder,
  type MagpieError,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
} from '../../../protocol';

/**
 * A server that speaks the protocol but does not hold the account's keys (an impostor, or a
 * man in the middle): it answers AUTH_START with a challenge of its choosing and accepts any proof.
 */
async function startImpostor(challenge: { scryptN: number; scryptR: number; scryptP: number }): Promise<{ address: string; close(): Promise<void> }> {
  const server: Server = createServer((socket) => {
    const decoder = new FrameDecoder({ maxFrameBytes: DEFAULT_WIRE_LIMITS.maxFrameBytes });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const decoded = decodeFrame(frame, DEFAULT_WIRE_LIMITS);
        const requestId = decoded.requestId === undefined ? {} : { requestId: decoded.requestId };
        if (decoded.name === 'HELLO') {
          socket.write(encodeFrame(bodyFrame('HELLO_ACK', { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR, loginTimeoutMs: 10_000 }, requestId)));
        } else if (decoded.name === 'AUTH_START') {
          socket.write(encodeFrame(bodyFrame('AUTH_CHALLENGE', { ...challenge, salt: randomBytes(16), serverNonce: randomBytes(24) }, requestId)));
        } else if (decoded.name === 'LOGIN') {
          const result = { userId: 'alice', idleTimeoutMs: 60_000, sessionId: 'x', serverSignature: randomBytes(32) };
          socket.write(encodeFrame(bodyFrame('LOGIN_RESULT', result, requestId)));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the client password login', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function loginTo(address: string): Promise<MagpieError> {
    const profile = await mkdtemp(join(tmpdir(), 'magpie-impostor-'));
    cleanups.push(() => rm(profile, { recursive: true, force: true, maxRetries: 5 }));
    const login = loginRequest('', { type: 'password', user: 'alice', password: 'secret-pw' }, { deviceId: 'impostor-test' });
    const client = new MagpieClient({
      profileDir: profile,
      servers: [address],
      login: { ...login, appId: 'a'.repeat(32), user: 'alice' },
      tuning: fastTestTuning,
      log: pino({ level: 'silent' }),
    });
    cleanups.push(() => {
      client.close();
      return client.store.closed.then(() => undefined);
    });
    return client.start().then(
      () => {
        throw new Error('logged in to an impostor');
      },
      (error: MagpieError) => error,
    );
  }

  it('refuses a server that cannot sign with the account key, for good', async () => {
    const impostor = await startImpostor({ scryptN: 1024, scryptR: 8, scryptP: 1 });
    cleanups.push(() => impostor.close());
    const error = await loginTo(impostor.address);
    expect(error.code).toBe(ErrorCode.SERVER_PROOF_FAILED);
  });

  it('refuses scrypt work beyond its bounds rather than run it', async () => {
    const impostor = await startImpostor({ scryptN: 2 ** 24, scryptR: 8, scryptP: 1 });
    cleanups.push(() => impostor.close());
    const startedMs = Date.now();
    const error = await loginTo(impostor.address);
    expect(error.code).toBe(ErrorCode.SERVER_PROOF_FAILED);
    expect(Date.now() - startedMs).toBeLessThan(5_000);
  });
});
