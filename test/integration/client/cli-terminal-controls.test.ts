import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restClient, type RestCall } from '../rest/rest-fixture';
import { cliLoginArgs, magpie, type CliRun } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/** Every control character but the line's own end (C0, DEL, C1): what a terminal could take as a command. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;

/**
 * Whatever the server sends (a custom message's payload, a message stored before the server
 * refused controls in a text or a custom message's command), the CLI writes no control character but newline to the
 * terminal: each is a JSON escape (`\u001b`, `\u009b`), and the JSON value is the same.
 */
describe('control characters in what the magpie CLI prints', () => {
  let server: TestServer;
  let root: string;
  let call: RestCall;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];
  const expectNoControls = (run: CliRun): void => {
    expect(run.stdout, run.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(run.stderr.replaceAll('\n', '')).not.toMatch(TERMINAL_CONTROL);
  };

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-controls-'));
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('escapes DEL and C1 controls (U+009B is CSI to some terminals) as it escapes ESC, in history and listen', { timeout: 60_000 }, async () => {
    const custom = { command: 'paint', payload: 'red\u001b[31m del\u007f csi\u009b31m nel\u0085 bell\u0007' };
    const sent = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/messages`, { from: 'mallory', to: 'victor', message: { type: 'custom', custom } });
    expect(sent.status, sent.text).toBe(200);
    // listen first: on a profile another command synced, a first listen starts after what is stored
    const listen = await magpie(as('victor', '--timeout', '5', 'listen', '--count', '1'));
    const history = await magpie(as('victor', 'history', '--with', 'mallory'));
    for (const run of [history, listen]) {
      expect(run.code, run.stderr).toBe(0);
      expectNoControls(run);
      for (const escape of ['\\u009b', '\\u007f', '\\u0085', '\\u001b', '\\u0007']) expect(run.stdout).toContain(escape);
      expect(run.lines.map((l) => l['custom'])).toContainEqual(custom);
    }
  });

  it('prints no control character of a text it was asked to send (each is sent as U+FFFD)', { timeout: 60_000 }, async () => {
    const run = await magpie(as('mallory', 'send', '--to', 'victor', '--text', 'a\u0001b\u001bc\u009bd\u007f'));
    expect(run.code, run.stderr).toBe(0);
    expectNoControls(run);
    expect(run.lines[0]).toMatchObject({ state: 'sent', text: 'a\uFFFDb\uFFFDc\uFFFDd\uFFFD' });
  });

  it('refuses a custom command holding a control character before storing it (exit 2), as the server would refuse it', { timeout: 60_000 }, async () => {
    const run = await magpie(as('mallory', 'send', '--to', 'victor', '--custom', 'paint\u001b[2J', '--payload', '{}'));
    expect(run.code).toBe(2);
    expectNoControls(run);
    expect(JSON.parse(run.stderr)).toMatchObject({ name: 'BAD_ARGUMENT', message: expect.stringContaining('--custom must not hold control characters other than tab and line breaks (it holds ESC, U+001B)') });
    // nothing waits in the outbox, failed or sending
    const outbox = await magpie(as('mallory', 'outbox'));
    expect(outbox.code, outbox.stderr).toBe(0);
    expect(outbox.lines).toEqual([]);
  });
});
