import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../protocol';
import type { RestCall } from '../rest/rest-fixture';
import type { TestClient } from '../../support/test-client';
import type { TestServer } from '../../support/test-server';
import { startRestAndWire, type RestAndWire } from './rest-and-wire-fixture';

/** A custom message's command is text a receiving app may print: the same controls as a text's are refused. */
describe('control characters in a custom message\'s command', () => {
  let server: TestServer;
  let call: RestCall;
  let alice: TestClient;
  const refused: [string, string][] = [
    ['open\u001b[2J', 'ESC, U+001B'],
    ['\u0000nul', 'NUL, U+0000'],
    ['del\u007f', 'DEL, U+007F'],
    ['csi\u009b31m', 'U+009B'],
  ];
  const expectedMessage = (holds: string): string => `custom.command must not hold control characters other than tab and line breaks (it holds ${holds})`;

  let fixture: RestAndWire;

  beforeAll(async () => {
    fixture = await startRestAndWire({ tuning: { restMaxRefusals: 1_000_000 } });
    ({ server, call, alice } = fixture);
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('is refused over REST with INVALID_MESSAGE naming the field and the character, and nothing is stored', async () => {
    for (const [command, holds] of refused) {
      const reply = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/messages`, { to: 'bob01', message: { type: 'custom', custom: { command, payload: '{}' } } });
      expect([reply.status, reply.json?.error?.code, reply.json?.error?.message], reply.text).toEqual([400, ErrorCode.INVALID_MESSAGE, expectedMessage(holds)]);
    }
    const history = await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=bob01`);
    expect(history.json.messages).toEqual([]);
  });

  it('is refused from a client, transient or stored, while a tab or line break is taken', async () => {
    let n = 0;
    const send = (command: string, transient = false) =>
      alice.ask(
        'SEND',
        {
          clientMsgId: new TextEncoder().encode(`ctl-cmd-${String(++n).padStart(4, '0')}`),
          to: 'bob01',
          type: pb.MessageType.CUSTOM,
          custom: { command, payload: new Uint8Array([1]), transient, silent: false },
        },
        'SENT',
      );
    for (const [command, holds] of refused) {
      for (const transient of [false, true]) {
        const error = await send(command, transient).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MagpieError);
        expect([(error as MagpieError).code, (error as MagpieError).message]).toEqual([ErrorCode.INVALID_MESSAGE, expectedMessage(holds)]);
      }
    }
    expect((await send('col\tcol\r\nrow')).msgId).toBeGreaterThan(0n);
  });
});
