import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { magpie, startMagpie, type RunningCli } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/** The one JSON error line a run printed on stderr. */
function errorOf(stderr: string): { code: number; name: string; message: string } {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as { code: number; name: string; message: string };
}

describe('the magpie CLI when the server ends or refuses its session', () => {
  let server: TestServer;
  let root: string;
  const runs: RunningCli[] = [];
  const at = (): string[] => ['--server', `127.0.0.1:${server.port}`, '--app', server.appId];
  const byToken = (user: string, profile: string, ...more: string[]): string[] => [
    ...at(), '--token', server.appToken, '--user', user, '--profile', join(root, profile), ...more,
  ];

  beforeAll(async () => {
    // two bot sessions per user at most, so a third is refused
    server = await startTestServer({ tuning: { maxSessionsPerUserDevice: 2 } });
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-end-'));
  });
  afterAll(async () => {
    // a listen the server failed to end would otherwise outlive the test
    for (const run of runs) if (run.child.exitCode === null) run.child.kill();
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  /** Starts a listen and waits until it is logged in: a message sent to it came through. */
  async function listening(args: string[], user: string, env: Record<string, string> = {}): Promise<RunningCli> {
    const run = startMagpie(args, '', env);
    runs.push(run);
    const hello = `are you there, ${user}? ${args.join(' ').length}-${Math.random()}`;
    // sent before the listen logged in, it still arrives: the listen syncs what it missed
    const sent = await magpie(byToken('prober', 'prober', 'send', '--to', user, '--text', hello));
    expect(sent.code).toBe(0);
    await run.lineWhere((line) => line['text'] === hello);
    return run;
  }

  it('ends listen with exit 4 and the code when the sub-account is closed, however long its timeout', { timeout: 60_000 }, async () => {
    const user = server.createUser('zed');
    const env = { MAGPIE_PASSWORD: user.voipPwd };
    const forEver = await listening([...at(), '--user', user.voipAccount, '--profile', join(root, 'zed'), '--timeout', '0', 'listen'], user.voipAccount, env);
    const timed = await listening([...at(), '--user', user.voipAccount, '--profile', join(root, 'zed-2'), '--timeout', '30', 'listen'], user.voipAccount, env);
    const closedAt = Date.now();
    server.server.access.closeSubAccount(user.subAccountSid);
    for (const run of [forEver, timed]) {
      const ended = await run.done;
      expect(ended.code).toBe(4);
      expect(errorOf(ended.stderr)).toMatchObject({ code: ErrorCode.SUB_ACCOUNT_CLOSED, name: 'SUB_ACCOUNT_CLOSED' });
    }
    expect(Date.now() - closedAt).toBeLessThan(10_000);
  });

  it('refuses a login over the session cap at once (exit 4, 175010); --force takes over and ends the others with 175004', { timeout: 60_000 }, async () => {
    const first = await listening(byToken('max', 'max-1', '--timeout', '0', 'listen'), 'max');
    const second = await listening(byToken('max', 'max-2', '--timeout', '0', 'listen'), 'max');

    const startedAt = Date.now();
    const third = await magpie(byToken('max', 'max-3', '--timeout', '30', 'listen'));
    expect(third.code).toBe(4);
    expect(errorOf(third.stderr)).toMatchObject({ code: ErrorCode.TOO_MANY_SESSIONS_FOR_USER, name: 'TOO_MANY_SESSIONS_FOR_USER' });
    expect(Date.now() - startedAt).toBeLessThan(10_000);

    const forced = await magpie(byToken('max', 'max-3', '--force', '--timeout', '30', 'send', '--to', 'prober', '--text', 'it is me now'));
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    for (const run of [first, second]) {
      const ended = await run.done;
      expect(ended.code).toBe(4);
      expect(errorOf(ended.stderr)).toMatchObject({ code: ErrorCode.KICKED_OFF, name: 'KICKED_OFF' });
    }
  });

  it('ends a send still reading stdin with exit 4 when a forced login replaces it, showing what it sent', { timeout: 60_000 }, async () => {
    const receiver = await listening(byToken('rita', 'rita', '--timeout', '0', 'listen'), 'rita');
    const sending = startMagpie(byToken('sam', 'sam', '--timeout', '0', 'send', '--to', 'rita', '--stdin'), 'first\n', {}, { holdStdin: true });
    runs.push(sending);
    await receiver.lineWhere((line) => line['text'] === 'first');

    const forced = await magpie(byToken('sam', 'sam-2', '--force', 'send', '--to', 'rita', '--text', 'second'));
    expect(forced.code).toBe(0);
    const ended = await sending.done;
    expect(ended.code).toBe(4);
    expect(errorOf(ended.stderr)).toMatchObject({ code: ErrorCode.KICKED_OFF, name: 'KICKED_OFF' });
    expect(ended.lines).toEqual([expect.objectContaining({ text: 'first', state: 'sent' })]);
    receiver.child.kill();
  });
});
