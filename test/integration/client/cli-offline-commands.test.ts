import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/** No secret in the environment either (an empty variable counts as unset). */
const NO_SECRET_ENV = { MAGPIE_TOKEN: '', MAGPIE_PASSWORD: '' };

/** The one JSON error line a run printed on stderr. */
function errorOf(stderr: string): { code: number; name: string; message: string } {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as { code: number; name: string; message: string };
}

describe('magpie local commands (history --offline, search, outbox) without a login secret', () => {
  let server: TestServer;
  let root: string;
  let port: number;
  let appId: string;
  let stopped = false;
  /** Everything but the secret: the app, the user and its profile, and the (stopped) server. */
  const noSecret = (user: string): string[] => ['--server', `127.0.0.1:${port}`, '--app', appId, '--user', user, '--profile', join(root, user)];

  beforeAll(async () => {
    server = await startTestServer();
    port = server.port;
    appId = server.appId;
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-offline-'));
  });
  afterAll(async () => {
    if (!stopped) await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('prints the stored history, search hits and outbox with no secret and no server', { timeout: 60_000 }, async () => {
    const as = (user: string): string[] => cliLoginArgs(server, root, user);
    const sent = await magpie([...as('alice'), 'send', '--stdin', '--to', 'bob'], 'hello offline 你好\nsecond line\n');
    expect(sent.code, sent.stderr).toBe(0);
    // bob's store gets them with a normal run, with the token
    const synced = await magpie([...as('bob'), 'history', '--with', 'alice']);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.lines.map((l) => l['text'])).toEqual(['hello offline 你好', 'second line']);

    await server.stop();
    stopped = true;
    // the server is down: a send with the token waits in alice's outbox (exit 3)
    const queued = await magpie([...as('alice'), '--timeout', '1', 'send', '--to', 'bob', '--text', 'waits']);
    expect(queued.code, queued.stderr).toBe(3);

    const [history, found, outbox, withIgnoredSecret] = await Promise.all([
      magpie([...noSecret('bob'), 'history', '--with', 'alice', '--offline'], '', NO_SECRET_ENV),
      magpie([...noSecret('bob'), 'search', 'offline'], '', NO_SECRET_ENV),
      magpie([...noSecret('alice'), 'outbox'], '', NO_SECRET_ENV),
      // a secret given is accepted silently, never read: this file does not exist
      magpie([...noSecret('bob'), '--token-file', join(root, 'no-such-file'), 'search', 'second'], '', NO_SECRET_ENV),
    ]);
    for (const run of [history, found, outbox, withIgnoredSecret]) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    expect(history.lines.map((l) => [l['from'], l['text'], l['state']])).toEqual([
      ['alice', 'hello offline 你好', 'received'],
      ['alice', 'second line', 'received'],
    ]);
    expect(found.lines).toEqual([expect.objectContaining({ from: 'alice', text: 'hello offline 你好' })]);
    expect(outbox.lines).toEqual([expect.objectContaining({ id: queued.lines[0]!['id'], state: 'sending' })]);
    expect(withIgnoredSecret.lines).toEqual([expect.objectContaining({ text: 'second line' })]);
  });

  it('still refuses a command that connects without a secret (BAD_ARGUMENT, exit 2), before anything is stored', { timeout: 60_000 }, async () => {
    const [send, history, flush] = await Promise.all([
      magpie([...noSecret('carol'), 'send', '--to', 'bob', '--text', 'hi'], '', NO_SECRET_ENV),
      magpie([...noSecret('carol'), 'history', '--with', 'bob'], '', NO_SECRET_ENV),
      magpie([...noSecret('carol'), 'outbox', 'flush'], '', NO_SECRET_ENV),
    ]);
    for (const run of [send, history, flush]) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(errorOf(run.stderr)).toMatchObject({
        code: ErrorCode.BAD_ARGUMENT,
        message: expect.stringContaining('log in with exactly one of --token, --token-file, --password, --password-file or --signed'),
      });
    }
    expect(existsSync(join(root, 'carol'))).toBe(false);
  });

  it('says a never-used profile holds no data (NO_MAGPIE_DATA, exit 2) and makes nothing there', { timeout: 60_000 }, async () => {
    const runs = await Promise.all([
      magpie([...noSecret('nobody'), 'history', '--with', 'alice', '--offline'], '', NO_SECRET_ENV),
      magpie([...noSecret('nobody'), 'search', 'hello'], '', NO_SECRET_ENV),
      magpie([...noSecret('nobody'), 'outbox'], '', NO_SECRET_ENV),
      // with a secret too: the store is what is missing
      magpie([...noSecret('nobody'), '--token', 'tok', 'outbox', 'discard'], '', NO_SECRET_ENV),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(errorOf(run.stderr)).toEqual({
        code: ErrorCode.NO_MAGPIE_DATA,
        name: 'NO_MAGPIE_DATA',
        message: expect.stringContaining(`no Magpie data for user nobody of app ${appId} in ${join(root, 'nobody')}`),
      });
    }
    expect(existsSync(join(root, 'nobody'))).toBe(false);
    // a profile that holds another user's store: this user has none in it
    const other = await magpie(['--server', `127.0.0.1:${port}`, '--app', appId, '--user', 'nobody', '--profile', join(root, 'bob'), 'outbox'], '', NO_SECRET_ENV);
    expect(other.code).toBe(2);
    expect(errorOf(other.stderr)).toMatchObject({ code: ErrorCode.NO_MAGPIE_DATA });
    expect(existsSync(join(root, 'bob', appId, 'nobody'))).toBe(false);
    // a --profile that is a file stays the bad argument it is for every command
    const file = join(root, 'a-file');
    await writeFile(file, 'not a folder');
    const notAFolder = await magpie(['--app', appId, '--user', 'bob', '--profile', file, 'search', 'x'], '', NO_SECRET_ENV);
    expect(notAFolder.code).toBe(2);
    expect(errorOf(notAFolder.stderr)).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, message: `--profile ${file}: not a folder (a file is in the way)` });
  });
});
