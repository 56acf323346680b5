import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { cliLoginArgs, magpie, startMagpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A listen the server ends (a forced login of the same user elsewhere) records the line it was
 * writing in its cursor before it exits, however slowly its reader takes the lines: the next run
 * prints every message once, none again.
 */
describe('magpie listen ended by a forced login elsewhere', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    // the backlog goes out at once
    server = await startTestServer({ tuning: { requestsPerSecond: 100_000 } });
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-listen-kicked-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('prints each message once across the kicked run and the next, while its reader was slow', { timeout: 180_000 }, async () => {
    const first = startMagpie(as('kim', '--timeout', '30', 'listen', '--count', '1'));
    expect((await magpie(as('ann', 'send', '--to', 'kim', '--text', 'hello'))).code).toBe(0);
    expect((await first.done).code).toBe(0);
    const texts = Array.from({ length: 600 }, (_, i) => `m${String(i).padStart(4, '0')} ${'.'.repeat(200)}`);
    const sent = await magpie(as('ann', '--timeout', '60', 'send', '--to', 'kim', '--stdin'), texts.map((t) => `${t}\n`).join(''));
    expect(sent.code, sent.stderr).toBe(0);

    const kicked = startMagpie(as('kim', '--timeout', '0', 'listen'));
    await kicked.lineWhere((line) => line['text'] === texts[10]);
    // its reader stops reading: the pipe fills and a line waits, written but not yet taken
    kicked.child.stdout.pause();
    await sleep(500);
    const forced = await magpie([...as('kim', '--force', 'send', '--to', 'ann', '--text', 'me now')].map((a) => (a.endsWith('/kim') ? `${a}-2` : a)));
    expect(forced.code, forced.stderr).toBe(0);
    // well past the moment the kicked run learns of it
    await sleep(1_500);
    kicked.child.stdout.resume();
    const ended = await kicked.done;
    expect(ended.code).toBe(4);
    expect(ended.stderr).toContain(`"code":${ErrorCode.KICKED_OFF}`);

    const next = await magpie(as('kim', '--timeout', '3', 'listen'));
    expect(next.code, next.stderr).toBe(0);
    const heard = [...ended.lines, ...next.lines].map((line) => line['text']);
    expect(heard.filter((text, i) => heard.indexOf(text) !== i)).toEqual([]);
    expect(heard).toEqual(texts);
  });
});
