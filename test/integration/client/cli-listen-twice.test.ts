import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { cliLoginArgs, magpie, startMagpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/** Two `listen`s of one user on one profile would share its store and split what arrives between them. */
describe('magpie listen, run twice on one profile', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];
  const textsOf = (lines: Record<string, unknown>[]): unknown[] => lines.map((line) => line['text']);

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-listen-twice-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('refuses the second with LISTEN_RUNNING (exit 2) naming the first, which goes on printing every message; once it ends, another may start', { timeout: 90_000 }, async () => {
    const first = startMagpie(as('bot', '--timeout', '0', 'listen'));
    expect((await magpie(as('amy', 'send', '--to', 'bot', '--text', 'one'))).code).toBe(0);
    await first.lineWhere((line) => line['text'] === 'one');

    const second = await magpie(as('bot', '--timeout', '5', 'listen'));
    expect(second.code).toBe(2);
    expect(second.stdout).toBe('');
    const lines = second.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    const error = JSON.parse(lines[0]!) as { code: number; name: string; message: string };
    expect(error).toMatchObject({ code: ErrorCode.LISTEN_RUNNING, name: 'LISTEN_RUNNING' });
    expect(error.message).toContain(`process ${first.child.pid}`);
    expect(error.message).toContain(join(root, 'bot'));

    // the first still prints all that arrives, in order
    const sent = await magpie(as('amy', 'send', '--to', 'bot', '--stdin'), 'two\nthree\nfour\n');
    expect(sent.code, sent.stderr).toBe(0);
    await first.lineWhere((line) => line['text'] === 'four');
    expect(textsOf(first.lines)).toEqual(['one', 'two', 'three', 'four']);
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(0);

    // the profile is free again: a listen runs to its deadline (exit 0, nothing new to print)
    const after = await magpie(as('bot', '--timeout', '2', 'listen'));
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).toBe('');
  });

  it('takes over the lock of a listen that was killed (SIGKILL) before it could let it go', { timeout: 60_000 }, async () => {
    const killed = startMagpie(as('cat', '--timeout', '0', 'listen'));
    expect((await magpie(as('amy', 'send', '--to', 'cat', '--text', 'hello'))).code).toBe(0);
    await killed.lineWhere((line) => line['text'] === 'hello');
    killed.child.kill('SIGKILL');
    await killed.done.catch(() => undefined);

    const next = startMagpie(as('cat', '--timeout', '0', 'listen'));
    expect((await magpie(as('amy', 'send', '--to', 'cat', '--text', 'again'))).code).toBe(0);
    await next.lineWhere((line) => line['text'] === 'again');
    next.child.kill('SIGINT');
    expect((await next.done).code).toBe(0);
  });
});
