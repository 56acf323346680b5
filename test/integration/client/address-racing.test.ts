import { afterEach, describe, expect, it } from 'vitest';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { deadAddress } from '../../support/dead-address';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

describe('address racing', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  const proxies: CutProxy[] = [];

  afterEach(async () => {
    await fixture.cleanup();
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await server?.stop();
  });

  it('skips a dead address listed first and logs in on the live one at once', async () => {
    server = await startTestServer();
    const live = `127.0.0.1:${server.port}`;
    const alice = await fixture.client(server, 'alice', { servers: [await deadAddress(), live] });
    const started = Date.now();
    await alice.start();
    expect(alice.status).toMatchObject({ state: 'online', server: live });
    // a refused connect starts the next attempt without waiting for the stagger
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('picks the faster of two live addresses: the first to answer HELLO, not the first to accept', async () => {
    server = await startTestServer();
    const slow = await startCutProxy({ port: server.port });
    proxies.push(slow);
    slow.setDelay(400);
    const fast = `127.0.0.1:${server.port}`;
    const alice = await fixture.client(server, 'alice', { servers: [slow.address, fast], tuning: { connectStaggerMs: 100 } });
    await alice.start();
    expect(alice.status).toMatchObject({ state: 'online', server: fast });
    // the slow attempt was tried, then dropped once the fast one won
    expect(slow.accepted).toBe(1);
    await eventually(() => slow.open === 0, 2_000, () => `${slow.open} open through the slow proxy`);

    // the winner is remembered: after a cut, the next connect goes to it first
    const viaFast = await startCutProxy({ port: server.port });
    proxies.push(viaFast);
    const bob = await fixture.client(server, 'bob', { servers: [slow.address, viaFast.address], tuning: { connectStaggerMs: 100 } });
    await bob.start();
    expect(bob.status.server).toBe(viaFast.address);
    const slowBefore = slow.accepted;
    // the reconnect can be quicker than any poll: record every state the client passes through
    const states: string[] = [];
    bob.events.on('status', (status) => states.push(status.state));
    viaFast.cutAll();
    await eventually(() => states.includes('reconnecting') && bob.status.state === 'online', 5_000, () => states.join(' → '));
    expect(bob.status.server).toBe(viaFast.address);
    expect(slow.accepted).toBe(slowBefore);
  });
});
