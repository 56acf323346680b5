import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MESSAGE_LIMITS } from '../../../protocol';
import { deadAddress } from '../../support/dead-address';
import { cliLoginArgs, magpie, withFlag } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('what the magpie CLI stores in its outbox, and how a failure leaves it', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-outbox-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('refuses a text over the server limit before storing it (exit 2), counting code points as the server does', { timeout: 60_000 }, async () => {
    const max = MESSAGE_LIMITS.maxTextChars;
    // an emoji is two UTF-16 units but one character: the longest text the server takes
    const longest = '🐦'.repeat(max);
    const [tooLong, tooManyBirds, justRight, viaStdin] = await Promise.all([
      magpie(as('tia', 'send', '--to', 'uli', '--text', 'x'.repeat(max + 1))),
      magpie(as('tia', 'send', '--to', 'uli', '--text', `${longest}🐦`)),
      magpie(as('vic', 'send', '--to', 'uli', '--text', longest)),
      magpie(as('wes', 'send', '--to', 'uli', '--stdin'), `first\n${'y'.repeat(max + 1)}\nthird\n`),
    ]);
    for (const run of [tooLong, tooManyBirds]) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${max + 1} characters long; the server takes at most ${max}`);
    }
    expect(justRight.stderr).toBe('');
    expect(justRight.code).toBe(0);
    expect(justRight.lines).toEqual([expect.objectContaining({ text: longest, state: 'sent' })]);
    // stdin: the lines before the long one are sent, it and the rest are not
    expect(viaStdin.code, viaStdin.stderr).toBe(2);
    expect(viaStdin.lines).toEqual([expect.objectContaining({ text: 'first', state: 'sent' })]);
    expect(JSON.parse(viaStdin.stderr)).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, message: expect.stringContaining(`stdin line 2 is ${max + 1} characters long`) });
    const [tiaOutbox, wesOutbox] = await Promise.all([magpie(as('tia', 'outbox')), magpie(as('wes', 'outbox'))]);
    expect(tiaOutbox.lines).toEqual([]);
    expect(wesOutbox.lines).toEqual([]);
  });

  it('outbox discard drops failed messages (all, or the one named), never one still sending', { timeout: 60_000 }, async () => {
    const [first, second] = [
      await magpie(as('xan', 'send', '--group', 'gnosuchgroup', '--text', 'anyone?')),
      await magpie(as('xan', 'send', '--group', 'gnosuchgroup2', '--text', 'still nobody?')),
    ];
    for (const run of [first, second]) expect(run.lines).toEqual([expect.objectContaining({ state: 'failed' })]);
    const dead = await deadAddress();
    const queued = await magpie(withFlag(as('xan', '--timeout', '1', 'send', '--to', 'yara', '--text', 'later'), '--server', dead));
    expect(queued.code).toBe(3);
    const [firstId, secondId, queuedId] = [first, second, queued].map((run) => run.lines[0]!['id'] as string);

    const stillSending = await magpie(as('xan', 'outbox', 'discard', queuedId!));
    expect(stillSending.code).toBe(1);
    expect(JSON.parse(stillSending.stderr)).toMatchObject({ code: ErrorCode.NOT_ALLOWED, message: expect.stringContaining('outbox flush') });
    const unknown = await magpie(as('xan', 'outbox', 'discard', '0'.repeat(32)));
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ code: ErrorCode.MESSAGE_NOT_FOUND });

    const one = await magpie(as('xan', 'outbox', 'discard', firstId!));
    expect(one.code).toBe(0);
    expect(one.lines).toEqual([{ ok: true, op: 'discard', id: firstId, conversation: 'gnosuchgroup' }]);
    const rest = await magpie(withFlag(as('xan', 'outbox', 'discard'), '--server', dead));
    expect(rest.code).toBe(0);
    expect(rest.lines).toEqual([{ ok: true, op: 'discard', id: secondId, conversation: 'gnosuchgroup2' }]);

    const [left, history] = await Promise.all([
      magpie(as('xan', 'outbox')),
      magpie(withFlag(as('xan', 'history', '--group', 'gnosuchgroup', '--offline'), '--server', dead)),
    ]);
    expect(left.lines).toEqual([expect.objectContaining({ id: queuedId, state: 'sending' })]);
    expect(history.lines).toEqual([]);
  });
});
