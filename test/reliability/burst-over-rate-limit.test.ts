import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { burstOutcome, faults, receivedCount, sendBurst, sentCount } from './support/burst-check';
import { createClientPool, suiteSize, targetOf, waitUntil } from './support/client-pool';
import { reliabilityLine } from './support/delivery-count';
import { startServerProcess, type ServerProcess } from './support/server-process';

const MESSAGES = suiteSize({ ci: 400, full: 2_000 });

describe('a burst beyond the shipped server rate limit (the bin, default tuning)', () => {
  const pool = createClientPool();
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await pool.cleanup();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  // Requests above the server's rate must be delayed, never refused one by one: a refused SEND sent
  // again after later ones passed would reorder the burst. Only the limit is under test here.
  it(`delivers ${MESSAGES} messages sent at once exactly once and in order`, { timeout: 120_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-reliability-server-'));
    server = await startServerProcess({ dataDir });
    const target = targetOf(server);
    const alice = await pool.client(target, { user: 'alice' });
    const bob = await pool.client(target, { user: 'bob' });
    await Promise.all([alice.start(), bob.start()]);

    const startedMs = Date.now();
    await sendBurst(alice, 'bob', MESSAGES);
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

    console.log(reliabilityLine('burst-over-rate-limit', outcome.delivery, { ms: elapsedMs }));
    expect(faults(outcome.delivery)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(outcome.senderStates).toEqual({ sent: MESSAGES });
    expect(outcome.senderOutboxPending).toBe(0);
  });
});
