import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faults } from './support/burst-check';
import { createClientPool, scenarioSeed, sleep, suiteSize, targetOf, waitUntil } from './support/client-pool';
import { countDelivery, readClientStore, reliabilityLine } from './support/delivery-count';
import { startFuzzerProcess, type FuzzerProcess } from './support/frame-fuzzer';
import { createLatencyProbe, percentile } from './support/latency-probe';
import { startServerProcess, type ServerProcess } from './support/server-process';
import { ensureOpenFileLimit, hardOpenFileLimit } from './support/silent-sockets';

const FUZZED_FRAMES = suiteSize({ ci: 1_000_000, full: 5_000_000 });
const SILENT_SOCKETS = 10_000;
const FUZZ_SOCKETS = 16;
const P99_BOUND_MS = 200;
const PROBE_INTERVAL_MS = 40;
/** Room for the silent sockets, the fuzzers, the clients and the database, with some to spare. */
const OPEN_FILES_NEEDED = SILENT_SOCKETS + 2_000;

/**
 * The server as shipped, but with room for 10,000 silent sockets beside everyone else (its default
 * cap is 10,000 connections) and a login timeout long enough that they stay for the whole flood
 * (by default it closes a socket that has not logged in after 10 s: a defence, not under test here).
 */
const FLOOD_LAUNCHER = {
  kind: 'tuned',
  tuning: { maxConnections: SILENT_SOCKETS + 5_000, loginTimeoutMs: 600_000 },
  eventLoopReportMs: 1_000,
} as const;

describe('a live server fed fuzzed frames and held by silent sockets', () => {
  const pool = createClientPool();
  let server: ServerProcess | undefined;
  let fuzzer: FuzzerProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    fuzzer?.kill();
    await pool.cleanup();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it(`stays up through ${FUZZED_FRAMES} fuzzed frames and ${SILENT_SOCKETS} silent sockets, and a normal client keeps its latency`, { timeout: 200_000 }, async () => {
    const seed = scenarioSeed();
    const limit = ensureOpenFileLimit(OPEN_FILES_NEEDED);
    const silentCount = Math.min(SILENT_SOCKETS, limit - 2_000);
    if (silentCount < SILENT_SOCKETS) {
      console.warn(`reliability: fuzz-flood NOTE: open-file limit ${limit} (could not raise it): ${silentCount} silent sockets instead of ${SILENT_SOCKETS}`);
    }
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-reliability-server-'));
    server = await startServerProcess({ dataDir, launcher: FLOOD_LAUNCHER, maxOpenFiles: Math.min(OPEN_FILES_NEEDED, hardOpenFileLimit()) });
    const target = targetOf(server);
    const alice = await pool.client(target, { user: 'alice' });
    const bob = await pool.client(target, { user: 'bob' });
    await Promise.all([alice.start(), bob.start()]);
    const probe = createLatencyProbe(alice, bob);

    const baselineUntil = Date.now() + 3_000;
    const before = await probe.run(() => Date.now() > baselineUntil, PROBE_INTERVAL_MS);

    // the silent sockets are the standing load: all held before the flood starts, and through it
    fuzzer = startFuzzerProcess({
      silentSockets: silentCount,
      host: '127.0.0.1',
      port: server.port,
      login: { appId: server.credentials.appId, appToken: server.credentials.appToken },
      frames: FUZZED_FRAMES,
      sockets: FUZZ_SOCKETS,
      framesPerConnectionMax: 400,
      brokenShare: 0.02,
      seed,
    });
    await fuzzer.silentReady;
    server.eventLoopStalls();
    const startedMs = Date.now();
    let fuzzDone = false;
    const tally = fuzzer.finished.finally(() => (fuzzDone = true));
    const [during] = await Promise.all([probe.run(() => fuzzDone, PROBE_INTERVAL_MS), tally]);
    const fuzzTally = await tally;
    const elapsedMs = Date.now() - startedMs;
    const serverAlive = server.isAlive();
    const serverStalls = server.eventLoopStalls();

    const sent = probe.sent();
    await waitUntil(() => !serverAlive || bob.store.db.prepare(`SELECT count(*) AS n FROM messages WHERE conversation = 'alice'`).pluck().get() === sent, 10_000, () => 'the last probes');
    await sleep(0);
    const bobFile = bob.store.file;
    pool.close(alice);
    pool.close(bob);
    const count = countDelivery('alice', sent, readClientStore(bobFile, 'alice').incomingTexts);
    const p99Before = Math.round(percentile(before, 0.99));
    const p99During = Math.round(percentile(during, 0.99));
    console.log(
      reliabilityLine('fuzz-flood', count, {
        frames: fuzzTally.frames,
        brokenFrames: fuzzTally.brokenFrames,
        fuzzConnections: fuzzTally.connections,
        closedByServer: fuzzTally.closedByServer,
        refusedRequests: fuzzTally.refusedRequests,
        silentSockets: fuzzTally.silentSockets,
        silentClosedByServer: fuzzTally.silentClosedByServer,
        p50BeforeMs: Math.round(percentile(before, 0.5)),
        p99BeforeMs: p99Before,
        p50DuringMs: Math.round(percentile(during, 0.5)),
        p99DuringMs: p99During,
        maxDuringMs: Math.round(Math.max(...during)),
        serverLoopP99Ms: Math.round(Math.max(...serverStalls.map((stall) => stall.p99Ms))),
        serverLoopMaxMs: Math.round(Math.max(...serverStalls.map((stall) => stall.maxMs))),
        serverAlive: String(serverAlive),
        seed,
        ms: elapsedMs,
      }),
    );
    expect(serverAlive, server.logTail()).toBe(true);
    expect(fuzzTally.frames).toBeGreaterThanOrEqual(FUZZED_FRAMES);
    expect(faults(count)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(during.length).toBeGreaterThan(20);
    expect(p99During).toBeLessThan(P99_BOUND_MS);
    expect(fuzzTally.silentSockets).toBe(silentCount);
    expect(fuzzTally.silentClosedByServer).toBe(0);
  });
});
