import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { cliLoginArgs, magpie, startMagpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/**
 * `send --stdin` fed by a live stream (`tail -f log | magpie send --stdin`): each line's result
 * is printed once it is known, in input order, while stdin stays open. It printed nothing until
 * stdin ended.
 */
describe('magpie send --stdin prints each line as it is settled', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-stdin-live-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('prints a sent line while stdin stays open, the next one after it, and exits 0 at the end', { timeout: 60_000 }, async () => {
    const sending = startMagpie(as('lina', '--timeout', '0', 'send', '--to', 'rita', '--stdin'), 'first\n\n', {}, { holdStdin: true });
    try {
      expect(await sending.lineWhere((line) => line['text'] === 'first')).toMatchObject({ state: 'sent', to: 'rita' });
      expect(sending.child.exitCode, 'the run ended before its stdin did').toBeNull();
      sending.child.stdin.write('second\nthird\n');
      expect(await sending.lineWhere((line) => line['text'] === 'third')).toMatchObject({ state: 'sent' });
      expect(sending.child.exitCode).toBeNull();
    } finally {
      sending.child.stdin.end();
    }
    const ended = await sending.done;
    expect(ended.code, ended.stderr).toBe(0);
    // each once, in input order: none printed again at the end
    expect(ended.lines.map((line) => [line['text'], line['state']])).toEqual([
      ['first', 'sent'],
      ['second', 'sent'],
      ['third', 'sent'],
    ]);
    const received = await magpie(as('rita', 'history', '--with', 'lina'));
    expect(received.lines.map((line) => line['text'])).toEqual(['first', 'second', 'third']);
  });

  it('prints a refused line failed with its code while stdin stays open; exit 1 at the end', { timeout: 60_000 }, async () => {
    const sending = startMagpie(as('mona', '--timeout', '0', 'send', '--group', 'gnosuchgroup1', '--stdin'), 'nobody here\n', {}, { holdStdin: true });
    let failed: Record<string, unknown>;
    try {
      failed = await sending.lineWhere((line) => line['text'] === 'nobody here');
      expect(sending.child.exitCode, 'the run ended before its stdin did').toBeNull();
    } finally {
      sending.child.stdin.end();
    }
    expect(failed).toMatchObject({ state: 'failed', code: expect.any(Number) });
    expect(failed['code']).not.toBe(ErrorCode.REQUEST_TIMEOUT);
    const ended = await sending.done;
    expect(ended.code, ended.stderr).toBe(1);
    expect(ended.lines).toHaveLength(1);
  });

  it('a line over the limit ends the run (exit 2) while stdin stays open, after the line before it was printed', { timeout: 60_000 }, async () => {
    const sending = startMagpie(as('nora', '--timeout', '0', 'send', '--to', 'rita', '--stdin'), 'short one\n', {}, { holdStdin: true });
    try {
      expect(await sending.lineWhere((line) => line['text'] === 'short one')).toMatchObject({ state: 'sent' });
      sending.child.stdin.write(`${'x'.repeat(5001)}\nnever\n`);
      const ended = await sending.done;
      expect(ended.code, ended.stderr).toBe(2);
      expect(JSON.parse(ended.stderr)).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, message: expect.stringContaining('stdin line 2') });
      expect(ended.lines.map((line) => line['text'])).toEqual(['short one']);
    } finally {
      sending.child.stdin.end();
    }
  });

  // a wrong password ends the session for good; an address that is not Magpie's (the HTTP port) is
  // refused by connect while the engine would try it again: both end the reading
  for (const how of ['wrong password', 'HTTP port'] as const) {
    it(`a refused login (${how}) ends the run (exit 4) while stdin stays open: the lines read fail with its code`, { timeout: 60_000 }, async () => {
      const user = server.createUser(how === 'wrong password' ? 'olga' : 'pia');
      const address = `127.0.0.1:${how === 'wrong password' ? server.port : server.httpPort}`;
      const password = how === 'wrong password' ? 'wrong' : user.voipPwd;
      const login = ['--server', address, '--app', server.appId, '--user', user.voipAccount, '--password', password, '--profile', join(root, user.voipAccount)];
      const code = how === 'wrong password' ? ErrorCode.WRONG_PASSWORD : ErrorCode.NOT_MAGPIE_PORT;
      const sending = startMagpie([...login, '--timeout', '0', 'send', '--to', 'rita', '--stdin'], 'never sent\n', {}, { holdStdin: true });
      try {
        const ended = await Promise.race([sending.done, new Promise<undefined>((resolve) => setTimeout(resolve, 20_000))]);
        expect(ended, 'still reading 20 s after the login was refused').toBeDefined();
        expect(ended!.code, ended!.stderr).toBe(4);
        expect(JSON.parse(ended!.stderr)).toMatchObject({ code });
        expect(ended!.lines).toEqual([expect.objectContaining({ text: 'never sent', state: 'failed', code })]);
      } finally {
        sending.child.stdin.end();
        sending.child.kill('SIGKILL');
      }
    });
  }
});
