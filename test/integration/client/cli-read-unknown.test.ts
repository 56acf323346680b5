import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/** The one JSON error line a run printed on stderr. */
function errorOf(stderr: string): { code: number; name: string; message: string } {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as { code: number; name: string; message: string };
}

describe('magpie read and history --with a user it has nothing from', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string): string[] => cliLoginArgs(server, root, user);

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-read-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('fails for a user the server does not know (USER_NOT_FOUND, exit 1), as the group it does not know is GROUP_NOT_FOUND', { timeout: 60_000 }, async () => {
    const read = await magpie([...as('reader'), 'read', '--with', 'nobody1']);
    expect(read.code).toBe(1);
    expect(read.stdout).toBe('');
    expect(errorOf(read.stderr)).toMatchObject({ code: ErrorCode.USER_NOT_FOUND, name: 'USER_NOT_FOUND', message: expect.stringContaining('no user nobody1') });
  });

  it('history --with a user the server does not know fails as read does (USER_NOT_FOUND, exit 1); offline it cannot tell', { timeout: 60_000 }, async () => {
    const history = await magpie([...as('historian'), 'history', '--with', 'nobody2']);
    expect(history.code).toBe(1);
    expect(history.stdout).toBe('');
    expect(errorOf(history.stderr)).toMatchObject({ code: ErrorCode.USER_NOT_FOUND, name: 'USER_NOT_FOUND', message: expect.stringContaining('no user nobody2') });
    // the store alone cannot tell an unknown user from a quiet one: nothing to print, exit 0
    const offline = await magpie([...as('historian'), 'history', '--with', 'nobody2', '--offline']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toBe('');
    expect(offline.stderr).toBe('');
  });

  it('history --with a user who exists but wrote nothing prints nothing, exit 0', { timeout: 60_000 }, async () => {
    const signedIn = await magpie([...as('silent'), 'outbox', 'flush']);
    expect(signedIn.code, signedIn.stderr).toBe(0);
    const history = await magpie([...as('historian'), 'history', '--with', 'silent']);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toBe('');
    expect(history.stderr).toBe('');
  });

  it('refuses an id that cannot be a user as send --to does (BAD_ARGUMENT, exit 2)', { timeout: 60_000 }, async () => {
    const [read, send] = await Promise.all([
      magpie([...as('reader'), 'read', '--with', 'b@d']),
      magpie([...as('reader'), 'send', '--to', 'b@d', '--text', 'hi']),
    ]);
    for (const run of [read, send]) {
      expect(run.code).toBe(2);
      expect(errorOf(run.stderr)).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, message: expect.stringContaining('must be a user id') });
    }
  });

  it('says to use --group for a group id given to --to or --with (BAD_ARGUMENT, exit 2)', { timeout: 60_000 }, async () => {
    const [send, read, history] = await Promise.all([
      magpie([...as('reader'), 'send', '--to', 'g123', '--text', 'hi']),
      magpie([...as('reader'), 'read', '--with', 'g123']),
      magpie([...as('reader'), 'history', '--with', 'g123']),
    ]);
    for (const [run, flag] of [[send, '--to'], [read, '--with'], [history, '--with']] as const) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(errorOf(run.stderr)).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, message: expect.stringContaining(`${flag} must be a user id, not the group id "g123": use --group g123 for a group`) });
    }
  });

  it('says there is nothing to mark for a user who exists but sent nothing (ok, upTo null)', { timeout: 60_000 }, async () => {
    // quiet signs in once, so the server knows the user, and never writes to the reader
    const signedIn = await magpie([...as('quiet'), 'history', '--with', 'reader']);
    expect(signedIn.code, signedIn.stderr).toBe(0);
    const read = await magpie([...as('reader'), 'read', '--with', 'quiet']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.lines).toEqual([{ ok: true, op: 'read', conversation: 'quiet', upTo: null, nothingToMark: true }]);

    const sent = await magpie([...as('quiet'), 'send', '--to', 'reader', '--text', 'now something']);
    const marked = await magpie([...as('reader'), 'read', '--with', 'quiet']);
    expect(marked.code, marked.stderr).toBe(0);
    expect(marked.lines).toEqual([{ ok: true, op: 'read', conversation: 'quiet', upTo: String(sent.lines[0]!['id']) }]);
  });
});
