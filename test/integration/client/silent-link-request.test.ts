import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import type { ConnectionStatus } from '../../../main/engine/client-connection';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

// the heartbeat is far apart (as on a desktop after its interval has grown): only the request
// that went unanswered can tell the link is dead before it
const SLOW_HEARTBEAT = { minHeartbeatMs: 30_000, maxHeartbeatMs: 30_000, heartbeatTimeoutMs: 300, requestTimeoutMs: 600 };

describe('a link that goes silent while a request waits', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let proxy: CutProxy | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await proxy?.close();
    await server?.stop();
  });

  it('is probed at the request timeout and replaced, so a message sent into it goes out within seconds, not at the next heartbeat', async () => {
    server = await startTestServer();
    proxy = await startCutProxy({ port: server.port });
    const alice = await fixture.client(server, 'alice', { servers: [proxy.address], tuning: SLOW_HEARTBEAT });
    const bob = await fixture.client(server, 'bob');
    const statuses: ConnectionStatus[] = [];
    alice.events.on('status', (status) => statuses.push(status));
    await Promise.all([alice.start(), bob.start()]);

    // no close, no reset: a NAT forgot the flow
    proxy.swallowOpen();
    const startedMs = Date.now();
    const sent = await createChatService(alice).send('bob', { kind: 'text', text: 'into the void' });
    await eventually(() => alice.store.messages.getByLocalId(Number(sent.key.split(':').pop()))?.state === 'sent', 6_000, () => statuses.map((s) => `${s.state}:${s.reason ?? ''}`).join());
    const elapsedMs = Date.now() - startedMs;

    expect(elapsedMs).toBeLessThan(5_000);
    expect(statuses.find((s) => s.state === 'reconnecting')?.reason).toMatch(/no answer/);
    expect(proxy.accepted).toBe(2);
    await eventually(() => bob.store.messages.page('alice', 10).some((m) => m.text === 'into the void'), 3_000);
  });
});
