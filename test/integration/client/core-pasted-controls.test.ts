import { afterEach, describe, expect, it } from 'vitest';
import { restClient } from '../rest/rest-fixture';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * A text pasted into the composer may hold an ESC or a NUL the server refuses (INVALID_MESSAGE):
 * the core sends each as U+FFFD, so the message is sent and the reader sees where it was.
 */
describe('a pasted text with control characters, sent by the core', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('is sent with U+FFFD in place of each control but tab and line breaks, a location\'s title and address likewise', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice', { focused: true });
    const pasted = 'red\u001b[31m bold\u0000 del\u007f csi\u009b2J\tcol\r\nline two';
    const expected = 'red\uFFFD[31m bold\uFFFD del\uFFFD csi\uFFFD2J\tcol\r\nline two';
    const text = await alice.call('message.send', { conversation: 'bob', content: { kind: 'text', text: pasted } });
    expect(text).toMatchObject({ ok: true, value: { text: expected } });
    const location = await alice.call('message.send', {
      conversation: 'bob',
      content: { kind: 'location', location: { latitude: 1, longitude: 2, title: 'home\u001b[2J', address: 'Main St\u0007 1' } },
    });
    expect(location).toMatchObject({ ok: true, value: { location: { title: 'home\uFFFD[2J', address: 'Main St\uFFFD 1' } } });
    const keys = [text, location].map((r) => (r.ok ? r.value.key : ''));
    const stateOf = (key: string) => alice.upserted().filter((m) => m.key === key).at(-1);
    await eventually(() => keys.every((key) => stateOf(key)?.state === 'sent'), 5_000, () => JSON.stringify(keys.map(stateOf)));

    // what bob reads is what alice's chat shows (REST history gives a location's title, not its address;
    // the address was taken, or the server would have refused the message)
    const call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    const history = await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=alice&peer=bob`);
    expect(history.json.messages.map((m: { text?: string; location?: object }) => m.location ?? m.text)).toEqual([
      expected,
      expect.objectContaining({ title: 'home\uFFFD[2J' }),
    ]);
  });
});
