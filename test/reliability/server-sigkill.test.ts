import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { burstOutcome, faults, receivedCount, sendBurst, sentCount } from './support/burst-check';
import { createClientPool, scenarioSeed, seededRandom, sleep, suiteSize, waitUntil } from './support/client-pool';
import { reliabilityLine } from './support/delivery-count';
import { startServerProcess, type ServerLauncher, type ServerProcess } from './support/server-process';

// the bin as shipped: its rate limit (50 requests/s after a burst of 100) paces the burst, so the
// sizes are what that pace allows in CI
const MESSAGES = suiteSize({ ci: 600, full: 3_000 });
const KILLS = suiteSize({ ci: 3, full: 6 });

describe('the server killed with SIGKILL during a burst', () => {
  const pool = createClientPool();
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await pool.cleanup();
    await server?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  async function killsDuringBurst(launcher: ServerLauncher): Promise<void> {
    const seed = scenarioSeed();
    const random = seededRandom(seed);
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-reliability-server-'));
    server = await startServerProcess({ dataDir, launcher });
    // the restarted server must be where the clients expect it: same data folder, same port
    const { port } = server;
    const target = { servers: [`127.0.0.1:${port}`], appId: server.credentials.appId, appToken: server.credentials.appToken };
    const alice = await pool.client(target, { user: 'alice' });
    const bob = await pool.client(target, { user: 'bob' });
    await Promise.all([alice.start(), bob.start()]);

    const startedMs = Date.now();
    await sendBurst(alice, 'bob', MESSAGES);
    // each kill lands somewhere in the next slice of the burst, by the seeded random
    for (let kill = 1; kill <= KILLS; kill++) {
      const killAt = Math.floor((MESSAGES * (kill - 1 + random())) / (KILLS + 1));
      await waitUntil(() => sentCount(alice, 'bob') >= killAt, 60_000, () => `alice to have ${killAt} sent before kill ${kill} (has ${sentCount(alice, 'bob')})`);
      await server.kill();
      await sleep(Math.floor(random() * 300));
      server = await startServerProcess({ dataDir, port, launcher });
    }
    await waitUntil(
      () => sentCount(alice, 'bob') === MESSAGES && receivedCount(bob, 'alice') >= MESSAGES,
      90_000,
      () => `every message sent and stored (alice sent ${sentCount(alice, 'bob')}, bob holds ${receivedCount(bob, 'alice')})`,
    );
    const elapsedMs = Date.now() - startedMs;
    const [aliceFile, bobFile] = [alice.store.file, bob.store.file];
    pool.close(alice);
    pool.close(bob);
    const outcome = burstOutcome(aliceFile, 'alice', bobFile, 'bob', MESSAGES);

    console.log(reliabilityLine('server-sigkill', outcome.delivery, { kills: KILLS, seed, ms: elapsedMs }));
    expect(faults(outcome.delivery)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(outcome.senderStates).toEqual({ sent: MESSAGES });
    expect(faults(outcome.senderCopies)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(outcome.senderOutboxPending).toBe(0);
    expect(server.isAlive()).toBe(true);
  }

  it(`loses, repeats and reorders nothing of ${MESSAGES} messages across ${KILLS} kills and restarts`, { timeout: 150_000 }, async () => {
    await killsDuringBurst({ kind: 'bin' });
  });

  // every kill lands in an open commit window: what was answered is only in the redo log
  it(`the same with a commit window that never commits on its own`, { timeout: 150_000 }, async () => {
    await killsDuringBurst({ kind: 'tuned', tuning: { commitWindowMs: 3_600_000 } });
  });
});
