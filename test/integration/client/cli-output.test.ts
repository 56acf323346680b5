import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, hasControlCharacter } from '../../../protocol';
import { deadAddress } from '../../support/dead-address';
import { cliLoginArgs, magpie, withFlag } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('what the magpie CLI prints', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-output-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('shows a failed message with its code and message in history, synced and offline, as outbox does', { timeout: 60_000 }, async () => {
    const refused = await magpie(as('olga', 'send', '--group', 'gnosuchgroup', '--text', 'anyone?'));
    expect(refused.code).toBe(1);
    const failed = refused.lines[0]!;
    expect(failed).toMatchObject({ state: 'failed', code: expect.any(Number), message: expect.any(String) });
    const expected = { id: failed['id'], state: 'failed', code: failed['code'], message: failed['message'] };

    const outbox = await magpie(as('olga', 'outbox'));
    expect(outbox.lines).toEqual([expect.objectContaining(expected)]);
    const dead = await deadAddress();
    const [synced, offline, found] = await Promise.all([
      magpie(as('olga', 'history', '--group', 'gnosuchgroup')),
      magpie(withFlag(as('olga', 'history', '--group', 'gnosuchgroup', '--offline'), '--server', dead)),
      magpie(withFlag(as('olga', 'search', 'anyone'), '--server', dead)),
    ]);
    for (const run of [synced, offline, found]) {
      expect(run.code).toBe(0);
      expect(run.lines).toEqual([expect.objectContaining(expected)]);
    }
  });

  it('refuses a --profile that is a file with BAD_ARGUMENT naming it (exit 2)', { timeout: 60_000 }, async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'not a folder');
    const run = await magpie(withFlag(as('pia', 'history', '--with', 'olga', '--offline'), '--profile', file));
    expect(run.code).toBe(2);
    const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    const error = JSON.parse(lines[0]!) as { code: number; name: string; message: string };
    expect(error).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, name: 'BAD_ARGUMENT' });
    expect(error.message).toContain(file);
    expect(error.message).not.toContain('EEXIST');
  });

  it('prints every usage error as one JSON line (BAD_ARGUMENT, exit 2) naming the help of its command, storing nothing', { timeout: 60_000 }, async () => {
    const send = (...more: string[]): string[] => as('quin', 'send', '--to', 'rhea', ...more);
    const cases: [string[], string, string][] = [
      [send('--text', '   '), '--text must not be empty or only white space', 'magpie send --help'],
      [send('--text', ''), '--text must not be empty or only white space', 'magpie send --help'],
      [send('--text', 'a', '--text', 'b'), '--text is given more than once', 'magpie send --help'],
      [[...as('quin', 'send', '--to', 'rhea', '--to', 'sol'), '--text', 'hi'], '--to is given more than once', 'magpie send --help'],
      [['--timeout', '-1', ...send('--text', 'hi')], '--timeout needs a value: -1 after it starts with a dash, so it is taken for a flag; write --timeout=-1', 'magpie send --help'],
      [['--timeout=-1', ...send('--text', 'hi')], '--timeout must be a number of seconds', 'magpie send --help'],
      [
        ['--server', `127.0.0.1:${server.port}`, '--app', server.appId, '--user', 'quin', '--password-file', join(root, 'no-such-file'), '--profile', join(root, 'quin'), 'listen'],
        `--password-file ${join(root, 'no-such-file')}: ENOENT`,
        'magpie listen --help',
      ],
      [send('--file', join(root, 'no-such-file')), 'no such file', ''],
      [as('quin', 'fly'), 'unknown command: fly', 'magpie --help'],
      // a typo is named as one, with what it most likely meant
      [send('--txt', 'hi'), 'unknown flag --txt (did you mean --text?)', 'magpie send --help'],
      [as('quin', 'sned', '--to', 'rhea', '--text', 'hi'), 'unknown command: sned (did you mean send?)', 'magpie --help'],
      [as('quin', 'group', 'memebrs', '--group', 'g1'), 'unknown group command: memebrs (did you mean members?)', 'magpie group --help'],
    ];
    const runs = await Promise.all(cases.map(([args]) => magpie(args)));
    for (const [i, run] of runs.entries()) {
      const [, says, help] = cases[i]!;
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines, run.stderr).toHaveLength(1);
      const error = JSON.parse(lines[0]!) as { code: number; name: string; message: string };
      expect(error).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, name: 'BAD_ARGUMENT', message: expect.stringContaining(says) });
      expect(error.message).not.toContain('\\u000a');
      if (help !== '') expect(error.message).toContain(`(usage: ${help})`);
    }
    // nothing of it was stored
    expect((await magpie(as('quin', 'outbox'))).lines).toEqual([]);
  });

  it('names a server address whose host name does not resolve, and why, rather than "none configured" (exit 3)', { timeout: 60_000 }, async () => {
    // .invalid never resolves (RFC 6761)
    const run = await magpie(withFlag(withFlag(as('pia', 'history', '--with', 'olga'), '--server', 'no-such-host.invalid:8883'), '--timeout', '3'));
    expect(run.code, run.stderr).toBe(3);
    const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    const error = JSON.parse(lines[0]!) as { code: number; name: string; message: string };
    expect(error).toMatchObject({ code: ErrorCode.NOT_CONNECTED, name: 'NOT_CONNECTED' });
    expect(error.message).toContain('no-such-host.invalid:8883: the name no-such-host.invalid does not resolve (getaddrinfo ');
    expect(error.message).not.toContain('none configured');
  });

  it('shows what was typed in a usage error with its control characters escaped (exit 2)', async () => {
    for (const args of [as('pia', 'revoke', '\u001b[2Jgone'), as('pia', '\u001b]0;title\u0007')]) {
      const run = await magpie(args);
      expect(run.code).toBe(2);
      expect(hasControlCharacter(run.stderr.replaceAll('\n', ''))).toBe(false);
      expect(run.stderr).toContain('\\u001b');
    }
  });

  it('prints a direction override in a message escaped (\\u202e), so it cannot reorder the line a terminal draws; the JSON value is the same', { timeout: 60_000 }, async () => {
    const text = 'pay \u202eexe.pdf\u2069 now \u200f';
    const sent = await magpie(as('tova', 'send', '--to', 'uma', '--text', text));
    expect(sent.code, sent.stderr).toBe(0);
    const history = await magpie(as('uma', 'history', '--with', 'tova'));
    expect(history.code, history.stderr).toBe(0);
    for (const run of [sent, history]) {
      expect(run.stdout).not.toMatch(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/u);
      expect(run.stdout).toContain('\\u202e');
      expect(run.lines.map((l) => l['text'])).toContain(text);
    }
  });
});
