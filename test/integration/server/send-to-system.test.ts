import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../protocol';
import type { RestCall } from '../rest/rest-fixture';
import type { TestClient } from '../../support/test-client';
import type { TestServer } from '../../support/test-server';
import { startRestAndWire, type RestAndWire } from './rest-and-wire-fixture';

/** `system` is the app server's own sender: a message to it would be stored where nobody reads it. */
describe('a message to the system sender', () => {
  let server: TestServer;
  let call: RestCall;
  let alice: TestClient;
  const refusal = '"system" is the app\'s notification sender: nobody reads messages sent to it';

  let fixture: RestAndWire;

  beforeAll(async () => {
    fixture = await startRestAndWire();
    ({ server, call, alice } = fixture);
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('is refused from a client with RECIPIENT_NOT_FOUND, and over REST with 404', async () => {
    const send = (to: string) => alice.ask('SEND', { clientMsgId: new TextEncoder().encode(`to-system-${to}`), to, type: pb.MessageType.TEXT, text: 'thanks!' }, 'SENT');
    const error = await send('system').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MagpieError);
    expect([(error as MagpieError).code, (error as MagpieError).message]).toEqual([ErrorCode.RECIPIENT_NOT_FOUND, refusal]);
    // a user whose id merely starts so is anyone else
    expect((await send('systems')).msgId).toBeGreaterThan(0n);

    const rest = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/messages`, { from: 'bob', to: 'system', message: { type: 'text', text: 'hi' } });
    expect([rest.status, rest.json?.error?.code, rest.json?.error?.message]).toEqual([404, ErrorCode.RECIPIENT_NOT_FOUND, refusal]);
  });

  it('leaves the system sender out of a broadcast to every user, which so has no failures', async () => {
    // the app's own notice makes the system sender a user of the app
    expect((await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/messages`, { to: 'carol', message: { type: 'text', text: 'welcome' } })).status).toBe(200);
    const job = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts`, { from: 'bob', message: { type: 'text', text: 'to all' } });
    expect(job.status, job.text).toBe(202);
    await expect
      .poll(async () => (await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts/${job.json.jobId}`)).json, { timeout: 10_000 })
      .toMatchObject({ state: 'done', failed: 0 });
  });
});
