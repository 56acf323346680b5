import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliLoginArgs, magpie, startMagpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/**
 * The CLI names a sender as the app does: in a group their alias there, else their nickname, else
 * their id (`fromName`), while `from` keeps the id for scripts.
 */
describe('magpie names senders as the app does', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];
  const named = (lines: Record<string, unknown>[]) => lines.map((line) => [line['text'] || line['notice'], line['from'], line['fromName']]);

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-sender-names-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('prints the alias, else the nickname, else the id in history and listen, with the id in from', { timeout: 120_000 }, async () => {
    expect((await magpie(as('cat01', 'profile', 'set', '--nickname', 'Cathy'))).code).toBe(0);
    const created = await magpie(as('ann01', 'group', 'create', '--name', 'names', '--members', 'bob01,cat01,dan01,eve01'));
    expect(created.code, created.stderr).toBe(0);
    const groupId = created.lines[0]!['groupId'] as string;
    expect((await magpie(as('ann01', 'group', 'card', '--group', groupId, '--card', 'Coach Ann'))).code).toBe(0);
    expect((await magpie(as('ann01', 'send', '--group', groupId, '--text', 'practice at six'))).code).toBe(0);
    expect((await magpie(as('cat01', 'send', '--group', groupId, '--text', 'on my way'))).code).toBe(0);
    expect((await magpie(as('dan01', 'send', '--group', groupId, '--text', 'me too'))).code).toBe(0);

    const history = await magpie(as('bob01', 'history', '--group', groupId));
    expect(history.code, history.stderr).toBe(0);
    expect(named(history.lines)).toEqual([
      ['create', 'ann01', 'Coach Ann'],
      ['practice at six', 'ann01', 'Coach Ann'],
      ['on my way', 'cat01', 'Cathy'],
      ['me too', 'dan01', 'dan01'],
    ]);

    // a listen on a profile that holds no member list reads it, as the app does when the chat opens
    const fresh = await magpie(as('eve01', '--timeout', '30', 'listen', '--count', '3'));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(named(fresh.lines)).toEqual([
      ['practice at six', 'ann01', 'Coach Ann'],
      ['on my way', 'cat01', 'Cathy'],
      ['me too', 'dan01', 'dan01'],
    ]);

    // live, and a one-to-one sender by their nickname
    const listening = startMagpie(as('bob01', '--timeout', '30', 'listen', '--count', '2'));
    // bob is online once the first message reaches his listen
    expect((await magpie(as('cat01', 'send', '--to', 'bob01', '--text', 'hi bob'))).code).toBe(0);
    await listening.lineWhere((line) => line['text'] === 'hi bob');
    expect((await magpie(as('ann01', 'send', '--group', groupId, '--text', 'see you'))).code).toBe(0);
    const heard = await listening.done;
    expect(heard.code, heard.stderr).toBe(0);
    expect(named(heard.lines)).toEqual([
      ['hi bob', 'cat01', 'Cathy'],
      ['see you', 'ann01', 'Coach Ann'],
    ]);
  });
});
