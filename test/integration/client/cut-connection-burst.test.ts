import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import type { StoredMessage } from '../../../main/store';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

const BURST = 5_000;

describe('a connection cut again and again during a burst', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let proxy: CutProxy | undefined;
  let chaos: NodeJS.Timeout | undefined;

  afterEach(async () => {
    clearTimeout(chaos);
    await fixture.cleanup();
    await proxy?.close();
    await server?.stop();
  });

  it('loses, repeats and reorders nothing of 5,000 messages, and every one ends sent', { timeout: 180_000 }, async () => {
    // a burst far beyond a person's typing: the server's per-connection rate limit is not under test here
    server = await startTestServer({ tuning: { requestsPerSecond: 1_000_000, requestBurst: 1_000_000 } });
    proxy = await startCutProxy({ port: server.port });
    const alice = await fixture.client(server, 'alice', { servers: [proxy.address] });
    const bob = await fixture.client(server, 'bob', { servers: [proxy.address] });
    const received: StoredMessage[] = [];
    bob.events.on('ingested', (result) => received.push(...result.messages.filter((m) => m.from === 'alice')));
    await Promise.all([alice.start(), bob.start()]);

    // cut every 100-300 ms, every third cut in the middle of a frame
    let cuts = 0;
    const cutLater = (): void => {
      chaos = setTimeout(() => {
        cuts += 1;
        if (cuts % 3 === 0) proxy!.cutMidFrame();
        else proxy!.cutAll();
        cutLater();
      }, 100 + Math.random() * 200);
    };
    cutLater();

    const chat = createChatService(alice);
    for (let i = 0; i < BURST; i++) {
      await chat.send('bob', { kind: 'text', text: `burst ${i}` });
      if (i % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const sentCount = (): number =>
      (alice.store.db.prepare(`SELECT count(*) AS n FROM messages WHERE conversation = 'bob' AND state IN ('sent', 'read')`).get() as { n: number }).n;
    await eventually(() => sentCount() === BURST && received.length >= BURST, 170_000, () => `sent ${sentCount()}, received ${received.length}`);
    clearTimeout(chaos);

    const seen = new Set<string>();
    let lost = 0;
    let duplicated = 0;
    let misordered = 0;
    let previous = -1;
    for (const message of received) {
      const index = Number(/^burst (\d+)$/.exec(message.text)?.[1]);
      if (seen.has(message.text)) duplicated += 1;
      seen.add(message.text);
      if (index <= previous) misordered += 1;
      previous = Math.max(previous, index);
    }
    for (let i = 0; i < BURST; i++) if (!seen.has(`burst ${i}`)) lost += 1;
    const storedAtBob = (bob.store.db.prepare(`SELECT count(*) AS n FROM messages WHERE conversation = 'alice'`).get() as { n: number }).n;

    expect({ lost, duplicated, misordered }).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    expect(storedAtBob).toBe(BURST);
    expect(sentCount()).toBe(BURST);
    expect(alice.store.outbox.pending()).toHaveLength(0);
    expect(cuts).toBeGreaterThan(3);
  });
});
