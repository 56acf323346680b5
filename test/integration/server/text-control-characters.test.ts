import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../protocol';
import type { RestCall } from '../rest/rest-fixture';
import type { TestClient } from '../../support/test-client';
import type { TestServer } from '../../support/test-server';
import { startRestAndWire, type RestAndWire } from './rest-and-wire-fixture';

/**
 * ESC, NUL and the other controls draw nothing, and an escape sequence sent to another user could
 * rewrite a terminal that prints it: the server refuses a text holding any but tab and line breaks.
 */
interface SendFields {
  readonly type?: pb.MessageType;
  readonly text?: string;
  readonly location?: { latitude: number; longitude: number; title: string; address: string };
}

describe('control characters in a message text', () => {
  let server: TestServer;
  let call: RestCall;
  let alice: TestClient;
  const refused: [string, string][] = [
    ['a\u0001b\u001bc', 'SOH, U+0001'],
    ['\u0000nul\u001b[31m', 'NUL, U+0000'],
    ['bell\u0007', 'BEL, U+0007'],
    ['del\u007f', 'DEL, U+007F'],
    ['csi\u009b31m', 'U+009B'],
    ['next\u0085line', 'U+0085'],
  ];
  const expectedMessage = (holds: string): string => `text must not hold control characters other than tab and line breaks (it holds ${holds})`;

  let fixture: RestAndWire;

  beforeAll(async () => {
    fixture = await startRestAndWire({ tuning: { restMaxRefusals: 1_000_000 } });
    ({ server, call, alice } = fixture);
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('is refused over REST with INVALID_MESSAGE naming the character, and nothing is stored', async () => {
    for (const [text, holds] of refused) {
      const reply = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/messages`, { to: 'bob01', message: { type: 'text', text } });
      expect([reply.status, reply.json?.error?.code, reply.json?.error?.message]).toEqual([400, ErrorCode.INVALID_MESSAGE, expectedMessage(holds)]);
    }
    const history = await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=bob01`);
    expect(history.json.messages).toEqual([]);
  });

  it('is refused from a client, in a caption and a location too, while tabs, line breaks and direction marks are sent', async () => {
    let n = 0;
    const send = (fields: SendFields) =>
      alice.ask('SEND', { clientMsgId: new TextEncoder().encode(`ctl-text-${String(++n).padStart(4, '0')}`), to: 'bob01', type: pb.MessageType.TEXT, ...fields }, 'SENT');
    const refusal = async (fields: SendFields): Promise<MagpieError> => {
      const error = await send(fields).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MagpieError);
      return error as MagpieError;
    };
    for (const [text, holds] of refused) {
      const error = await refusal({ text });
      expect([error.code, error.message]).toEqual([ErrorCode.INVALID_MESSAGE, expectedMessage(holds)]);
    }
    const location = await refusal({
      type: pb.MessageType.LOCATION,
      location: { latitude: 1, longitude: 2, title: 'home\u001b[2J', address: '' },
    });
    expect([location.code, location.message]).toEqual([
      ErrorCode.INVALID_MESSAGE,
      'location.title must not hold control characters other than tab and line breaks (it holds ESC, U+001B)',
    ]);
    expect((await send({ text: 'col\tcol\r\nline two\nשלום \u200f\u202e' })).msgId).toBeGreaterThan(0n);
  });
});
