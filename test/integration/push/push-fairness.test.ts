import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, waitFor, type RestCall } from '../rest/rest-fixture';
import { startPushReceiver, type PushReceiver } from './push-receiver';

/** An app server's webhook that takes every call and never answers (a hung process, a black hole). */
async function startSilentWebhook(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  const open: IncomingMessage[] = [];
  const server: Server = createServer((request) => void open.push(request));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    calls: () => open.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const PER_APP = 4;

describe('offline push: one app whose webhook hangs', () => {
  let server: TestServer;
  let call: RestCall;
  let silent: Awaited<ReturnType<typeof startSilentWebhook>>;
  let receiver: PushReceiver;
  let otherApp: string;

  beforeAll(async () => {
    silent = await startSilentWebhook();
    receiver = await startPushReceiver();
    // the hung calls outlast the test: only a free slot lets another app's push leave
    server = await startTestServer({ tuning: { pushDelayMs: 100, pushTimeoutMs: 60_000, pushConcurrency: 16, pushConcurrencyPerApp: PER_APP } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    expect((await call('PUT', `/v1/accounts/{sid}/apps/${server.appId}/push`, { url: silent.url })).status).toBe(200);
    const created = await call('POST', '/v1/accounts/{sid}/apps', { name: 'Other app' });
    expect(created.status).toBe(201);
    otherApp = created.json.appId as string;
    expect((await call('PUT', `/v1/accounts/{sid}/apps/${otherApp}/push`, { url: receiver.url })).status).toBe(200);
  });
  afterAll(async () => {
    // the hung calls fail at once, so the server stops without waiting out their timeout
    await silent?.close();
    await server?.stop();
    await receiver?.close();
  });

  it("holds only its share of the webhook calls: another app's push still leaves on time", async () => {
    const to = Array.from({ length: 40 }, (_, i) => `member${i}`);
    const broadcast = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts`, { to, message: { type: 'text', text: 'sale!' } });
    expect(broadcast.status).toBe(202);
    await waitFor(() => silent.calls() >= PER_APP, 5_000, 'the silent webhook to be called');

    const sentAt = Date.now();
    const sent = await call('POST', `/v1/accounts/{sid}/apps/${otherApp}/messages`, { to: 'zoe', message: { type: 'text', text: 'your order shipped' } });
    expect(sent.status).toBe(200);
    await waitFor(() => receiver.callsFor('zoe').length === 1, 5_000, "the other app's push to zoe");
    expect(Date.now() - sentAt).toBeLessThan(3_000);
    expect(receiver.callsFor('zoe')[0]!.body).toMatchObject({ appId: otherApp, recipient: 'zoe', preview: 'your order shipped' });
    // the silent app never held more than its share of the calls
    expect(silent.calls()).toBe(PER_APP);
  });
});
