import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { magpie, startMagpie, type RunningCli } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the magpie CLI across a server restart', () => {
  let server: TestServer;
  let root: string;
  const runs: RunningCli[] = [];
  const byToken = (user: string, ...more: string[]): string[] => [
    '--server', `127.0.0.1:${server.port}`, '--app', server.appId, '--token', server.appToken, '--user', user, '--profile', join(root, user), ...more,
  ];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-restart-'));
  });
  afterAll(async () => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill();
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('keeps listen --timeout 0 running while the server is down, and prints what arrives after its restart', { timeout: 90_000 }, async () => {
    const listen = startMagpie(byToken('bot', '--timeout', '0', 'listen'));
    runs.push(listen);
    const before = await magpie(byToken('pam', 'send', '--to', 'bot', '--text', 'before the restart'));
    expect(before.code).toBe(0);
    await listen.lineWhere((line) => line['text'] === 'before the restart');

    const { port, dataDir } = server;
    await server.stop({ keepData: true });
    // down for longer than the first reconnect delays: the loop must outlive them
    await sleep(4_000);
    expect(listen.child.exitCode, listen.lines.map((l) => JSON.stringify(l)).join('\n')).toBeNull();
    server = await startTestServer({ dataDir, port });

    const after = await magpie(byToken('pam', 'send', '--to', 'bot', '--text', 'after the restart'));
    expect(after.code).toBe(0);
    await listen.lineWhere((line) => line['text'] === 'after the restart', 60_000);
    expect(listen.child.exitCode).toBeNull();

    listen.child.kill('SIGTERM');
    const ended = await listen.done;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toBe('');
  });

  it('goes on within a second or two of a restarted server listening, not after the grown backoff', { timeout: 60_000 }, async () => {
    // several commands at once: each draws its own jitter, so one lucky draw cannot pass the test
    const bots = ['quick1', 'quick2', 'quick3', 'quick4'];
    const listens = bots.map((bot) => startMagpie(byToken(bot, '--timeout', '30', 'listen', '--count', '2')));
    runs.push(...listens);
    const ended = listens.map((run) => run.done.then((result) => ({ ...result, at: Date.now() })));
    // each is online, its first message printed, before the server goes
    // one sender per bot: runs of one user on one profile would replace each other's session
    const senderOf = (bot: string): string => `pam-${bot}`;
    for (const bot of bots) expect((await magpie(byToken(senderOf(bot), 'send', '--to', bot, '--text', `hello ${bot}`))).code).toBe(0);
    await Promise.all(listens.map((run, i) => run.lineWhere((line) => line['text'] === `hello ${bots[i]}`)));

    const { port, dataDir } = server;
    await server.stop({ keepData: true });
    // down for 6 s: long enough that the doubling backoff (1, 2, 4 s…, each cut by up to half)
    // would keep the listens away for seconds after the restart
    await sleep(3_000);
    // commands started while the server is down wait for it too
    const sends = bots.map((bot) => startMagpie(byToken(senderOf(bot), '--timeout', '30', 'send', '--to', bot, '--text', `back ${bot}`)));
    runs.push(...sends);
    const sent = sends.map((run) => run.done.then((result) => ({ ...result, at: Date.now() })));
    await sleep(3_000);
    server = await startTestServer({ dataDir, port });
    const listening = Date.now();

    for (const result of [...(await Promise.all(sent)), ...(await Promise.all(ended))]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.lines.at(-1)?.['text']).toMatch(/^back quick\d$/);
      // the CLI looks for a refusing port every 0.5-1 s: back within a second, plus login and sync
      // (slack for a loaded machine; the grown backoff would be 2-8 s more)
      expect(result.at - listening).toBeLessThan(3_000);
    }
  });

  it('still ends listen --count at its deadline with exit 3 while the server is down', { timeout: 60_000 }, async () => {
    const { port, dataDir } = server;
    await server.stop({ keepData: true });
    try {
      const started = Date.now();
      const quiet = await magpie(['--server', `127.0.0.1:${port}`, '--app', 'unused', '--token', 'unused', '--user', 'bot2', '--profile', join(root, 'bot2'), '--timeout', '3', 'listen', '--count', '1']);
      expect(quiet.code).toBe(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
      expect(JSON.parse(quiet.stderr)).toMatchObject({ code: ErrorCode.NOT_CONNECTED });
    } finally {
      server = await startTestServer({ dataDir, port });
    }
  });
});
