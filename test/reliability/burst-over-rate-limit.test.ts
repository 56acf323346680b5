import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../main/chat/chat-service';
import type { MagpieClient } from '../../main/client/magpie-client';
import { createClientPool, sleep, suiteSize, waitUntil } from './support/client-pool';
import { countDelivery, messageText, readClientStore, reliabilityLine } from './support/delivery-count';
import { startServerProcess, type ServerProcess } from './support/server-process';

const MESSAGES = suiteSize({ ci: 400, full: 2_000 });

function countOf(client: MagpieClient, sql: string): number {
  return (client.store.db.prepare(sql).get() as { n: number }).n;
}

describe('a burst beyond the shipped server rate limit (the bin, default tuning)', () => {
  const pool = createClientPool();
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await pool.cleanup();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  // The server refuses SENDs above requestsPerSecond with RATE_LIMITED; the outbox sends a refused
  // one again. Nothing else happens to the network here: only the limit is under test.
  it(`delivers ${MESSAGES} messages sent at once exactly once and in order`, { timeout: 120_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-reliability-server-'));
    server = await startServerProcess({ dataDir });
    const target = { servers: [`127.0.0.1:${server.port}`], appId: server.credentials.appId, appToken: server.credentials.appToken };
    const alice = await pool.client(target, { user: 'alice' });
    const bob = await pool.client(target, { user: 'bob' });
    await Promise.all([alice.start(), bob.start()]);

    const startedMs = Date.now();
    const chat = createChatService(alice);
    for (let i = 0; i < MESSAGES; i++) {
      await chat.send('bob', { kind: 'text', text: messageText('alice', i) });
      if (i % 100 === 0) await sleep(0);
    }
    const sentByAlice = () => countOf(alice, `SELECT count(*) AS n FROM messages WHERE conversation = 'bob' AND outgoing = 1 AND state IN ('sent', 'read')`);
    const storedAtBob = () => countOf(bob, `SELECT count(*) AS n FROM messages WHERE conversation = 'alice' AND outgoing = 0`);
    await waitUntil(
      () => sentByAlice() === MESSAGES && storedAtBob() >= MESSAGES,
      90_000,
      () => `every message sent and stored (alice sent ${sentByAlice()}, bob holds ${storedAtBob()})`,
    );
    const elapsedMs = Date.now() - startedMs;
    const [aliceFile, bobFile] = [alice.store.file, bob.store.file];
    pool.close(alice);
    pool.close(bob);
    const atAlice = readClientStore(aliceFile, 'bob');
    const atBob = readClientStore(bobFile, 'alice');

    const count = countDelivery('alice', MESSAGES, atBob.incomingTexts);
    console.log(reliabilityLine('burst-over-rate-limit', count, { ms: elapsedMs }));
    expect({ lost: count.lost, duplicated: count.duplicated, misordered: count.misordered }).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(atAlice.outgoingStates).toEqual({ sent: MESSAGES });
    expect(atAlice.outboxPending).toBe(0);
  });
});
