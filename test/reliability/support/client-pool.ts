import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loginRequest } from '../../../main/client/login-request';
import { MagpieClient } from '../../../main/client/magpie-client';
import { fastTestTuning, type EngineTuning } from '../../../main/engine/tuning';

/** Where a client logs in: an address list and the app it belongs to. */
export interface ClientTarget {
  readonly servers: readonly string[];
  readonly appId: string;
  readonly appToken: string;
}

/** The target of a server process started by the suite: its port and its demo app. */
export function targetOf(server: { readonly port: number; readonly credentials: { readonly appId: string; readonly appToken: string } }): ClientTarget {
  return { servers: [`127.0.0.1:${server.port}`], appId: server.credentials.appId, appToken: server.credentials.appToken };
}

export interface ClientSpec {
  readonly user: string;
  /** A profile folder from profile(); a fresh one when absent. */
  readonly profileDir?: string;
  readonly tuning?: Partial<EngineTuning>;
}

/** Real clients (real SQLite profiles in temp folders), all closed and deleted by cleanup(). */
export interface ClientPool {
  profile(): Promise<string>;
  client(target: ClientTarget, spec: ClientSpec): Promise<MagpieClient>;
  /** Closes one client (its store too) so its profile can be read or reopened. */
  close(client: MagpieClient): void;
  cleanup(): Promise<void>;
}

export function createClientPool(): ClientPool {
  const folders: string[] = [];
  const clients = new Set<MagpieClient>();
  const log = pino({ level: 'silent' });
  const profile = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-reliability-client-'));
    folders.push(dir);
    return dir;
  };
  return {
    profile,
    async client(target, spec) {
      const login = loginRequest(target.appId, { type: 'appToken', user: spec.user, token: target.appToken }, { deviceId: `reliability-${spec.user}` });
      const client = new MagpieClient({
        profileDir: spec.profileDir ?? (await profile()),
        servers: target.servers,
        login: { ...login, appId: target.appId, user: spec.user },
        tuning: { ...fastTestTuning, ...spec.tuning },
        log,
      });
      clients.add(client);
      return client;
    },
    close(client) {
      if (clients.delete(client)) client.close();
    },
    async cleanup() {
      for (const client of clients) client.close();
      // each store's checkpoint worker lets go of its folder a moment after close()
      await Promise.all([...clients].map((client) => client.store.closed));
      clients.clear();
      await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
    },
  };
}

/** Resolves when check() holds, polling; fails with what() after timeoutMs. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded generator (mulberry32), so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** MAGPIE_RELIABILITY_FULL=1 runs the bigger local sizes; CI runs the small ones. */
export function suiteSize<T>(sizes: { ci: T; full: T }): T {
  return process.env.MAGPIE_RELIABILITY_FULL === '1' ? sizes.full : sizes.ci;
}

/**
 * The seed of a scenario's randomness: MAGPIE_RELIABILITY_SEED, else `fallback` (a test that runs
 * the same inputs every time), else a fresh one printed with the result.
 */
export function scenarioSeed(fallback?: number): number {
  const fixed = process.env.MAGPIE_RELIABILITY_SEED;
  if (fixed !== undefined) return Number(fixed);
  return fallback ?? Math.floor(Math.random() * 2 ** 31);
}
