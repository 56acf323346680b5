import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../protocol';
import type { RestCall } from '../rest/rest-fixture';
import type { TestClient } from '../../support/test-client';
import type { TestServer } from '../../support/test-server';
import { startRestAndWire, type RestAndWire } from './rest-and-wire-fixture';

/**
 * A text of white space alone shows as an empty bubble and an empty line in the chat list: the
 * server refuses it on every path, as the app's composer and the CLI already do.
 */
describe('a text of white space alone', () => {
  let server: TestServer;
  let call: RestCall;
  let alice: TestClient;
  const blanks = ['   ', '\n\t', '\u3000\u00a0 '];

  let fixture: RestAndWire;

  beforeAll(async () => {
    fixture = await startRestAndWire({ tuning: { restMaxRefusals: 1_000_000 } });
    ({ server, call, alice } = fixture);
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('is refused over REST with INVALID_MESSAGE and stores nothing', async () => {
    for (const text of blanks) {
      const reply = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/messages`, { to: 'bob01', message: { type: 'text', text } });
      expect([reply.status, reply.json?.error?.code, reply.json?.error?.message]).toEqual([
        400,
        ErrorCode.INVALID_MESSAGE,
        'a text message needs text other than white space',
      ]);
    }
    const history = await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=bob01`);
    expect(history.json.messages).toEqual([]);
  });

  it('is refused from a client with INVALID_MESSAGE, while a text with words around its spaces is sent', async () => {
    let n = 0;
    const send = (text: string) =>
      alice.ask('SEND', { clientMsgId: new TextEncoder().encode(`blank-text-${String(++n).padStart(4, '0')}`), to: 'bob01', type: pb.MessageType.TEXT, text }, 'SENT');
    for (const text of blanks) {
      const refusal = await send(text).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(MagpieError);
      expect((refusal as MagpieError).code).toBe(ErrorCode.INVALID_MESSAGE);
    }
    expect((await send('  hi  ')).msgId).toBeGreaterThan(0n);
  });
});
