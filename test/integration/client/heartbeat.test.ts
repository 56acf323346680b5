import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import type { ConnectionStatus } from '../../../main/engine/client-connection';
import type { StoredMessage } from '../../../main/store';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

describe('the adaptive heartbeat', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let proxy: CutProxy | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await proxy?.close();
    await server?.stop();
  });

  it('grows the interval over a run of successes up to the server idle timeout less the margin, and stays connected', async () => {
    server = await startTestServer({ tuning: { idleTimeoutMs: 1_500 } });
    const tuning = { minHeartbeatMs: 100, heartbeatStepMs: 400, successesBeforeGrowth: 1, maxHeartbeatMs: 5_000, idleTimeoutMarginMs: 300 };
    const alice = await fixture.client(server, 'alice', { tuning });
    const statuses: ConnectionStatus[] = [];
    alice.events.on('status', (status) => statuses.push(status));
    await alice.start();

    await eventually(() => alice.heartbeatIntervalMs === 1_200, 5_000, () => `interval ${alice.heartbeatIntervalMs} ms`);
    // one more full interval at the cap: the server, closing sessions silent for 1.5 s, keeps this one
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const intervals = statuses.filter((s) => s.state === 'online').map((s) => s.heartbeatMs!);
    expect(intervals).toEqual([100, 500, 900, 1_200]);
    expect(alice.heartbeatIntervalMs).toBe(1_200);
    expect(statuses.map((s) => s.state)).not.toContain('reconnecting');
    expect(alice.status.state).toBe('online');
  });

  it('replaces a link that stops answering, and messages flow on the new one', async () => {
    server = await startTestServer();
    proxy = await startCutProxy({ port: server.port });
    const alice = await fixture.client(server, 'alice', { servers: [proxy.address] });
    const bob = await fixture.client(server, 'bob');
    const statuses: ConnectionStatus[] = [];
    alice.events.on('status', (status) => statuses.push(status));
    const toAlice: StoredMessage[] = [];
    alice.events.on('ingested', (result) => toAlice.push(...result.messages));
    await Promise.all([alice.start(), bob.start()]);

    // the path goes silent: no close, no reset, nothing arrives either way
    proxy.swallowOpen();
    await eventually(() => statuses.some((s) => s.state === 'reconnecting'), 3_000, () => statuses.map((s) => s.state).join());
    await eventually(() => alice.status.state === 'online', 3_000, () => alice.status.state);

    const lost = statuses.find((s) => s.state === 'reconnecting')!;
    expect(lost.reason).toBe('heartbeat got no answer');
    expect(proxy.accepted).toBe(2);
    await createChatService(bob).send('alice', { kind: 'text', text: 'still there?' });
    await eventually(() => toAlice.length === 1, 3_000);
    expect(toAlice[0]!.text).toBe('still there?');
  });
});
