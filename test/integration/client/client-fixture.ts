import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { WireLimits } from '../../../protocol';
import { MagpieClient } from '../../../main/client/magpie-client';
import { loginRequest } from '../../../main/client/login-request';
import type { TransportOptions } from '../../../main/engine/transport';
import { fastTestTuning, type EngineTuning } from '../../../main/engine/tuning';
import type { TestServer } from '../../support/test-server';

/** Temp profile folders, and clients logged in with the app token, all undone by cleanup(). */
export interface ClientFixture {
  profile(): Promise<string>;
  client(
    server: Pick<TestServer, 'appId' | 'appToken' | 'port'>,
    user: string,
    options?: { profileDir?: string; servers?: string[]; tuning?: Partial<EngineTuning>; transport?: TransportOptions; limits?: WireLimits },
  ): Promise<MagpieClient>;
  cleanup(): Promise<void>;
}

export function createClientFixture(): ClientFixture {
  const folders: string[] = [];
  const clients: MagpieClient[] = [];
  const log = pino({ level: 'silent' });
  const profile = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-client-'));
    folders.push(dir);
    return dir;
  };
  return {
    profile,
    async client(server, user, options = {}) {
      const login = loginRequest(server.appId, { type: 'appToken', user, token: server.appToken }, { deviceId: `test-${user}` });
      const client = new MagpieClient({
        profileDir: options.profileDir ?? (await profile()),
        servers: options.servers ?? [`127.0.0.1:${server.port}`],
        ...(options.transport ? { transport: options.transport } : {}),
        login: { ...login, appId: server.appId, user },
        tuning: { ...fastTestTuning, ...options.tuning },
        ...(options.limits ? { limits: options.limits } : {}),
        log,
      });
      clients.push(client);
      return client;
    },
    async cleanup() {
      const closing = clients.splice(0).map((client) => {
        client.close();
        return client.store.closed;
      });
      // the store's checkpoint worker lets go of the file a moment after close()
      await Promise.all(closing);
      await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
    },
  };
}

/** Resolves when check() holds, polling every few ms; fails with what() after timeoutMs. */
export async function eventually(check: () => boolean, timeoutMs: number, what: () => string = () => 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
