import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCutProxy, type CutProxy } from '../support/cut-proxy';
import { burstOutcome, faults, receivedCount, sendBurst, sentCount } from './support/burst-check';
import { createClientPool, scenarioSeed, seededRandom, suiteSize, waitUntil } from './support/client-pool';
import { reliabilityLine, sumDelivery } from './support/delivery-count';
import { startServerProcess, type ServerProcess } from './support/server-process';

const ALICE_TO_BOB = suiteSize({ ci: 2_000, full: 10_000 });
const BOB_TO_ALICE = suiteSize({ ci: 500, full: 2_500 });
/** A burst far beyond a person's typing: the server's rate limit is not under test here. */
const NO_RATE_LIMIT = { kind: 'tuned', tuning: { requestsPerSecond: 1_000_000, requestBurst: 1_000_000 } } as const;

describe('a proxy that cuts, cuts mid-frame, delays and throttles at random', () => {
  const pool = createClientPool();
  let server: ServerProcess | undefined;
  let proxy: CutProxy | undefined;
  let dataDir: string | undefined;
  let chaos: NodeJS.Timeout | undefined;

  afterEach(async () => {
    clearTimeout(chaos);
    await pool.cleanup();
    await proxy?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('loses, repeats and reorders nothing in either direction', { timeout: 150_000 }, async () => {
    const seed = scenarioSeed();
    const random = seededRandom(seed);
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-reliability-server-'));
    server = await startServerProcess({ dataDir, launcher: NO_RATE_LIMIT });
    proxy = await startCutProxy({ port: server.port });
    const target = { servers: [proxy.address], appId: server.credentials.appId, appToken: server.credentials.appToken };
    const alice = await pool.client(target, { user: 'alice' });
    const bob = await pool.client(target, { user: 'bob' });
    await Promise.all([alice.start(), bob.start()]);

    const actions = { cuts: 0, midFrameCuts: 0, delays: 0, throttles: 0 };
    const act = (): void => {
      const roll = random();
      if (roll < 0.4) {
        actions.cuts += 1;
        proxy!.cutAll();
      } else if (roll < 0.65) {
        actions.midFrameCuts += 1;
        proxy!.cutMidFrame();
      } else if (roll < 0.85) {
        actions.delays += 1;
        proxy!.setDelay(Math.floor(random() * 80));
      } else {
        actions.throttles += 1;
        proxy!.setThrottle(random() < 0.3 ? undefined : 20_000 + Math.floor(random() * 480_000));
      }
    };
    const chaosLater = (): void => {
      chaos = setTimeout(() => {
        act();
        chaosLater();
      }, 50 + Math.floor(random() * 200));
    };
    chaosLater();

    const startedMs = Date.now();
    await Promise.all([sendBurst(alice, 'bob', ALICE_TO_BOB), sendBurst(bob, 'alice', BOB_TO_ALICE)]);
    const done = () =>
      sentCount(alice, 'bob') === ALICE_TO_BOB &&
      sentCount(bob, 'alice') === BOB_TO_ALICE &&
      receivedCount(bob, 'alice') >= ALICE_TO_BOB &&
      receivedCount(alice, 'bob') >= BOB_TO_ALICE;
    // chaos for the burst and a little after it, then a calm network to finish on
    await waitUntil(() => done() || Date.now() - startedMs > 60_000, 61_000, () => 'the burst');
    clearTimeout(chaos);
    proxy.setDelay(0);
    proxy.setThrottle(undefined);
    await waitUntil(done, 60_000, () =>
      `alice sent ${sentCount(alice, 'bob')}/${ALICE_TO_BOB}, bob holds ${receivedCount(bob, 'alice')}; ` +
      `bob sent ${sentCount(bob, 'alice')}/${BOB_TO_ALICE}, alice holds ${receivedCount(alice, 'bob')}`,
    );
    const elapsedMs = Date.now() - startedMs;
    const [aliceFile, bobFile] = [alice.store.file, bob.store.file];
    pool.close(alice);
    pool.close(bob);
    const toBob = burstOutcome(aliceFile, 'alice', bobFile, 'bob', ALICE_TO_BOB);
    const toAlice = burstOutcome(bobFile, 'bob', aliceFile, 'alice', BOB_TO_ALICE);

    const total = sumDelivery([toBob.delivery, toAlice.delivery]);
    console.log(reliabilityLine('proxy-chaos', total, { ...actions, connections: proxy.accepted, seed, ms: elapsedMs }));
    expect(faults(total)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    for (const [outcome, count] of [[toBob, ALICE_TO_BOB], [toAlice, BOB_TO_ALICE]] as const) {
      expect(outcome.senderStates).toEqual({ sent: count });
      expect(faults(outcome.senderCopies)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
      expect(outcome.senderOutboxPending).toBe(0);
    }
    expect(actions.cuts + actions.midFrameCuts).toBeGreaterThan(5);
  });
});
