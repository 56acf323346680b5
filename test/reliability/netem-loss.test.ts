import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faults } from './support/burst-check';
import { suiteSize } from './support/client-pool';
import { startClientProcess, type ClientProcess, type ClientProcessSpec } from './support/client-process';
import { countDelivery, findClientDatabase, readClientStore, reliabilityLine } from './support/delivery-count';
import { createLossyNamespace, namespaceAvailability, type LossyNamespace } from './support/network-namespace';
import { startServerProcess, type ServerProcess } from './support/server-process';

const MESSAGES = suiteSize({ ci: 500, full: 3_000 });
const LOSS_PERCENT = 5;
const DELAY_MS = 20;
/** Only where the kernel has no netem: the tbf rate each way, whose queue is the delay. */
const RATE_KBIT = 2_000;
const NO_RATE_LIMIT = { kind: 'tuned', tuning: { requestsPerSecond: 1_000_000, requestBurst: 1_000_000 } } as const;

describe(`a lossy, slow link (${LOSS_PERCENT}% loss each way) between clients and the server`, () => {
  let namespace: LossyNamespace | undefined;
  let server: ServerProcess | undefined;
  const clients: ClientProcess[] = [];
  const folders: string[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.kill();
    await server?.stop();
    namespace?.remove();
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
  });

  async function folder(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    folders.push(dir);
    return dir;
  }

  it(`delivers ${MESSAGES} messages from a client in a network namespace exactly once and in order`, { timeout: 150_000 }, async () => {
    const availability = namespaceAvailability();
    if (!availability.ok) {
      // not a silent skip: the reason is printed where the counts would be, and the report says NOT RUN
      console.warn(`reliability: netem-loss NOT RUN: ${availability.reason}`);
      return;
    }
    namespace = createLossyNamespace({ kind: availability.impairment, lossPercent: LOSS_PERCENT, delayMs: DELAY_MS, rateKbit: RATE_KBIT });
    const dataDir = await folder('magpie-reliability-server-');
    server = await startServerProcess({ dataDir, host: namespace.hostAddress, launcher: NO_RATE_LIMIT });
    const common = {
      // a plain port off loopback: written tcp:// (bare remote addresses are TLS by default)
      servers: [`tcp://${namespace.hostAddress}:${server.port}`],
      appId: server.credentials.appId,
      appToken: server.credentials.appToken,
    };
    const aliceSpec: ClientProcessSpec = { ...common, profileDir: await folder('magpie-reliability-alice-'), user: 'alice', sendTo: 'bob', sendCount: MESSAGES };
    const bobSpec: ClientProcessSpec = { ...common, profileDir: await folder('magpie-reliability-bob-'), user: 'bob', expectFrom: 'alice', expectCount: MESSAGES };

    const startedMs = Date.now();
    const alice = startClientProcess(aliceSpec, { netns: namespace.name });
    const bob = startClientProcess(bobSpec, { netns: namespace.name });
    clients.push(alice, bob);
    await Promise.all([alice.until(() => false, 120_000), bob.until(() => false, 120_000)].map((wait) => wait.catch(() => undefined)));
    expect({ alice: alice.isDone(), bob: bob.isDone() }, `alice ${JSON.stringify(alice.progress())}, bob ${JSON.stringify(bob.progress())}\n${alice.output()}${bob.output()}`).toEqual({ alice: true, bob: true });
    await Promise.all([alice.exited, bob.exited]);
    const elapsedMs = Date.now() - startedMs;

    const atAlice = readClientStore(findClientDatabase(aliceSpec.profileDir), 'bob');
    const atBob = readClientStore(findClientDatabase(bobSpec.profileDir), 'alice');
    const count = countDelivery('alice', MESSAGES, atBob.incomingTexts);
    console.log(reliabilityLine('netem-loss', count, { link: namespace.impairment, droppedPackets: namespace.droppedPackets(), ms: elapsedMs }));
    expect(faults(count)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(atAlice.outgoingStates).toEqual({ sent: MESSAGES });
    expect(atAlice.outboxPending).toBe(0);
    expect(namespace.droppedPackets()).toBeGreaterThan(0);
  });
});
