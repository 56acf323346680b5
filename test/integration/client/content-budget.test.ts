import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

describe('a sender past its stored-bytes budget', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  // the order is not kept across a refusal yet: SENDs in flight behind a refused one can pass
  // after the refusal's hold (docs/reliability.md, "Security: message content")
  it('waits for the budget to refill: every message ends sent, none failed', { timeout: 30_000 }, async () => {
    server = await startTestServer({ tuning: { contentBurstBytes: 2_000, contentBytesPerSecond: 8_000 } });
    const alice = await fixture.client(server, 'alice');
    await alice.start();
    const chat = createChatService(alice);
    for (let i = 0; i < 40; i += 1) await chat.send('bob', { kind: 'text', text: `message ${i} ${'x'.repeat(60)}` });
    const states = (): { state: string; n: number }[] =>
      alice.store.db.prepare("SELECT state, count(*) AS n FROM messages WHERE conversation = 'bob' GROUP BY state").all() as { state: string; n: number }[];
    await eventually(() => states().length === 1 && states()[0]!.state === 'sent', 20_000, () => JSON.stringify(states()));
    const texts = alice.store.db.prepare("SELECT text FROM messages WHERE conversation = 'bob'").all() as { text: string }[];
    expect(new Set(texts.map((row) => row.text)).size).toBe(40);
  });
});
