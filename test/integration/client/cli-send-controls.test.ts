import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restClient, type RestCall } from '../rest/rest-fixture';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/**
 * `send --text` and `--stdin` go through the core's send path, as the app's composer does: a
 * control character the server refuses in a text (ESC, NUL, DEL, C1) is sent as U+FFFD, never
 * failed by the server after it was stored.
 */
describe('magpie send with control characters in the text', () => {
  let server: TestServer;
  let root: string;
  let call: RestCall;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-send-controls-'));
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('sends --text and --stdin lines with U+FFFD in place of each, tabs kept, and exits 0', { timeout: 60_000 }, async () => {
    const text = await magpie(as('mallory', 'send', '--to', 'victor', '--text', 'a\u0001b\u001b[2Jc\u009bd\u007f\te'));
    expect(text.code, text.stderr).toBe(0);
    expect(text.lines[0]).toMatchObject({ state: 'sent', text: 'a\uFFFDb\uFFFD[2Jc\uFFFDd\uFFFD\te' });
    const stdin = await magpie(as('mallory', 'send', '--to', 'victor', '--stdin'), 'bell\u0007\nplain\n');
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(stdin.lines.map((l) => [l['state'], l['text']])).toEqual([
      ['sent', 'bell\uFFFD'],
      ['sent', 'plain'],
    ]);
    const history = await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=mallory&peer=victor`);
    expect(history.json.messages.map((m: { text: string }) => m.text)).toEqual(['a\uFFFDb\uFFFD[2Jc\uFFFDd\uFFFD\te', 'bell\uFFFD', 'plain']);
  });
});
