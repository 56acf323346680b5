import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import type { MagpieClient } from '../../../main/client/magpie-client';
import type { SyncProgress } from '../../../main/engine/sync-engine';
import type { StoredMessage } from '../../../main/store';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

describe('an offline user catches up', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  async function sendAll(client: MagpieClient, to: string, texts: string[]): Promise<void> {
    const chat = createChatService(client);
    for (const text of texts) await chat.send(to, { kind: 'text', text });
    const sent = (): number =>
      (client.store.db.prepare(`SELECT count(*) AS n FROM messages WHERE outgoing = 1 AND state = 'sent'`).get() as { n: number }).n;
    await eventually(() => sent() >= texts.length, 20_000, () => `${client.selfId} sent ${sent()} of ${texts.length}`);
  }

  it('in order: every message missed while offline arrives once, in seq order, with progress events', async () => {
    server = await startTestServer({ tuning: { requestsPerSecond: 100_000, requestBurst: 100_000 } });
    const alice = await fixture.client(server, 'alice');
    const carol = await fixture.client(server, 'carol');
    const bobProfile = await fixture.profile();
    const bobBefore = await fixture.client(server, 'bob', { profileDir: bobProfile });
    await Promise.all([alice.start(), carol.start(), bobBefore.start()]);

    // bob sees a first few live, then goes away
    await sendAll(alice, 'bob', ['before 0', 'before 1', 'before 2']);
    await eventually(() => bobBefore.store.syncState.get().appliedSeq >= 3, 5_000);
    bobBefore.close();

    const fromAlice = Array.from({ length: 600 }, (_, i) => `alice ${i}`);
    const fromCarol = Array.from({ length: 300 }, (_, i) => `carol ${i}`);
    await Promise.all([sendAll(alice, 'bob', fromAlice), sendAll(carol, 'bob', fromCarol)]);

    const bob = await fixture.client(server, 'bob', { profileDir: bobProfile });
    const arrived: StoredMessage[] = [];
    const progress: SyncProgress[] = [];
    bob.events.on('ingested', (result) => arrived.push(...result.messages));
    bob.events.on('progress', (p) => progress.push(p));
    await bob.start();
    await eventually(() => arrived.length >= 900 && progress.at(-1)?.done === true, 20_000, () => `${arrived.length} arrived`);
    await bob.syncIdle();

    expect(arrived).toHaveLength(900);
    expect(new Set(arrived.map((m) => m.msgId)).size).toBe(900);
    const seqs = arrived.map((m) => m.seq!);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(arrived.filter((m) => m.from === 'alice').map((m) => m.text)).toEqual(fromAlice);
    expect(arrived.filter((m) => m.from === 'carol').map((m) => m.text)).toEqual(fromCarol);
    // the catch-up came in pages, each reported, ending done at the inbox head
    expect(progress.length).toBeGreaterThan(2);
    const applied = progress.map((p) => p.applied);
    expect(applied).toEqual([...applied].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ done: true, applied: 900 });
    const stored = bob.store.db.prepare(`SELECT count(*) AS n FROM messages WHERE conversation IN ('alice', 'carol')`).get() as { n: number };
    expect(stored.n).toBe(903);
  });
});
