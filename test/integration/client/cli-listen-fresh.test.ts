import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliLoginArgs, magpie, startMagpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/**
 * `listen --count N` on a profile that never synced: its first catch-up is the account's whole
 * history, and a messenger opened on a new device shows the newest of it, not the first messages
 * ever received. A profile that synced before prints what it missed since, oldest first.
 */
describe('magpie listen --count on a fresh profile', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-listen-fresh-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('prints the newest N of the history it syncs, in order; a later listen prints what came since, oldest first', { timeout: 90_000 }, async () => {
    const sent = await magpie(as('ann01', 'send', '--to', 'ben01', '--stdin'), 'one\ntwo\nthree\nfour\nfive\n');
    expect(sent.code, sent.stderr).toBe(0);

    const fresh = await magpie(as('ben01', '--timeout', '30', 'listen', '--count', '2'));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.lines.map((line) => line['text'])).toEqual(['four', 'five']);

    // the profile has synced now: what comes while it was away is news, printed from the oldest
    expect((await magpie(as('ann01', 'send', '--to', 'ben01', '--stdin'), 'six\nseven\n')).code).toBe(0);
    const later = await magpie(as('ben01', '--timeout', '30', 'listen', '--count', '1'));
    expect(later.code, later.stderr).toBe(0);
    expect(later.lines.map((line) => line['text'])).toEqual(['six']);

    // a fresh profile asking for more than the history holds prints it all, then waits for news
    const listening = startMagpie(as('cat01', '--timeout', '30', 'listen', '--count', '3'));
    expect((await magpie(as('ann01', 'send', '--to', 'cat01', '--stdin'), 'hello\nthere\n')).code).toBe(0);
    await listening.lineWhere((line) => line['text'] === 'there');
    expect((await magpie(as('ann01', 'send', '--to', 'cat01', '--text', 'news'))).code).toBe(0);
    const heard = await listening.done;
    expect(heard.code, heard.stderr).toBe(0);
    expect(heard.lines.map((line) => line['text'])).toEqual(['hello', 'there', 'news']);
  });
});
