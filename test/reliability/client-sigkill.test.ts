import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faults } from './support/burst-check';
import { scenarioSeed, seededRandom, sleep, suiteSize, targetOf } from './support/client-pool';
import { startClientProcess, type ClientProcess, type ClientProcessSpec, type ClientProgress } from './support/client-process';
import { countDelivery, findClientDatabase, readClientStore, reliabilityLine } from './support/delivery-count';
import { startServerProcess, type ServerProcess } from './support/server-process';

const MESSAGES = suiteSize({ ci: 1_000, full: 5_000 });
const KILLS_PER_PHASE = suiteSize({ ci: 3, full: 8 });
const NO_RATE_LIMIT = { kind: 'tuned', tuning: { requestsPerSecond: 1_000_000, requestBurst: 1_000_000 } } as const;

describe('the client process killed with SIGKILL during sends and during sync', () => {
  let server: ServerProcess | undefined;
  const running = new Set<ClientProcess>();
  const folders: string[] = [];

  afterEach(async () => {
    for (const client of running) await client.kill();
    running.clear();
    await server?.stop();
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
  });

  async function folder(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    folders.push(dir);
    return dir;
  }

  /**
   * Runs the client from the same profile again and again, killing it each time its progress
   * passes the next random mark, then lets the last run finish. Returns how many kills landed.
   */
  async function runWithKills(spec: ClientProcessSpec, kills: number, mark: (kill: number) => (p: ClientProgress) => boolean): Promise<number> {
    let landed = 0;
    for (let kill = 1; kill <= kills; kill++) {
      const client = startClientProcess(spec);
      running.add(client);
      await client.until(mark(kill), 60_000);
      const finished = client.isDone();
      await client.kill();
      running.delete(client);
      if (finished) break;
      landed += 1;
    }
    const last = startClientProcess(spec);
    running.add(last);
    await last.until(() => false, 90_000).catch((error: unknown) => {
      if (!last.isDone()) throw error;
    });
    await last.exited;
    running.delete(last);
    return landed;
  }

  it(`every one of ${MESSAGES} messages arrives exactly once and in order, and the outbox drains`, { timeout: 200_000 }, async () => {
    const seed = scenarioSeed();
    const random = seededRandom(seed);
    const dataDir = await folder('magpie-reliability-server-');
    server = await startServerProcess({ dataDir, launcher: NO_RATE_LIMIT });
    const common = targetOf(server);
    const aliceSpec: ClientProcessSpec = { ...common, profileDir: await folder('magpie-reliability-alice-'), user: 'alice', sendTo: 'bob', sendCount: MESSAGES };
    // small sync pages, so a catch-up takes many round trips for a kill to land in
    const bobSpec: ClientProcessSpec = {
      ...common,
      profileDir: await folder('magpie-reliability-bob-'),
      user: 'bob',
      expectFrom: 'alice',
      expectCount: MESSAGES,
      tuning: { syncPageEntries: 25 },
    };

    const startedMs = Date.now();
    // during sends: killed while writing to the outbox, or while SENDs are in flight
    const killsDuringSends = await runWithKills(aliceSpec, KILLS_PER_PHASE, (kill) => {
      const mark = Math.floor((MESSAGES * (kill - 1 + random())) / (KILLS_PER_PHASE + 1));
      return random() < 0.5 ? (p) => p.written >= mark : (p) => p.sent >= mark;
    });
    // during sync: bob was offline, so the whole burst waits on the server for his catch-up
    const killsDuringSync = await runWithKills(bobSpec, KILLS_PER_PHASE, (kill) => {
      const mark = Math.max(1, Math.floor((MESSAGES * (kill - 1 + random())) / (KILLS_PER_PHASE + 1)));
      return (p) => p.received >= mark;
    });
    const elapsedMs = Date.now() - startedMs;
    await sleep(0);

    const atAlice = readClientStore(findClientDatabase(aliceSpec.profileDir), 'bob');
    const atBob = readClientStore(findClientDatabase(bobSpec.profileDir), 'alice');
    const count = countDelivery('alice', MESSAGES, atBob.incomingTexts);
    console.log(reliabilityLine('client-sigkill', count, { killsDuringSends, killsDuringSync, seed, ms: elapsedMs }));
    expect(faults(count)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(atAlice.outgoingStates).toEqual({ sent: MESSAGES });
    expect(faults(countDelivery('alice', MESSAGES, atAlice.outgoingTexts))).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(atAlice.outboxPending).toBe(0);
    expect(killsDuringSends).toBeGreaterThan(0);
    expect(killsDuringSync).toBeGreaterThan(0);
  });
});
