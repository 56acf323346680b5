import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientStorePath } from '../../../main/store/database';
import { cliLoginArgs, magpie, startMagpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

const BIN = join(import.meta.dirname, '../../../bin/magpie.js');
const texts = (lines: Record<string, unknown>[]): unknown[] => lines.map((line) => line['text']);
const numbered = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(3, '0')}`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `listen` keeps a printed-up-to cursor in the profile's store: what a run did not print (its
 * --count was reached, it was stopped or killed) is printed by the next, oldest first, each message
 * once across runs.
 */
describe('magpie listen resumes where the last listen stopped printing', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];
  const send = async (from: string, to: string, lines: readonly string[]): Promise<void> => {
    const sent = await magpie(as(from, 'send', '--to', to, '--stdin'), lines.map((line) => `${line}\n`).join(''));
    expect(sent.code, sent.stderr).toBe(0);
  };
  /** A first listen on the user's profile: it syncs it and makes the cursor. */
  const firstListen = async (user: string): Promise<void> => {
    await send('zed', user, ['hello']);
    const first = await magpie(as(user, '--timeout', '30', 'listen', '--count', '1'));
    expect(first.code, first.stderr).toBe(0);
    expect(texts(first.lines)).toEqual(['hello']);
  };

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-listen-cursor-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('successive listen --count N runs print every missed message once, oldest first, across conversations', { timeout: 120_000 }, async () => {
    await firstListen('bob');
    // missed while away, in two conversations
    await send('ann', 'bob', numbered('m', 1, 6));
    await send('eve', 'bob', numbered('m', 7, 12));

    const heard: unknown[] = [];
    for (const count of [5, 5, 2]) {
      const run = await magpie(as('bob', '--timeout', '30', 'listen', '--count', String(count)));
      expect(run.code, run.stderr).toBe(0);
      expect(run.lines).toHaveLength(count);
      heard.push(...texts(run.lines));
    }
    expect(heard).toEqual(numbered('m', 1, 12));
    expect(heard.slice(5, 7)).toEqual(['m006', 'm007']);

    // all printed: the next run prints only what comes while it runs
    const listening = startMagpie(as('bob', '--timeout', '30', 'listen', '--count', '1'));
    await sleep(1_500);
    await send('ann', 'bob', ['live']);
    const live = await listening.done;
    expect(live.code, live.stderr).toBe(0);
    expect(texts(live.lines)).toEqual(['live']);
  });

  it('a plain listen prints what was missed since the cursor, then live ones; the next run repeats none of them', { timeout: 120_000 }, async () => {
    await firstListen('cat');
    await send('ann', 'cat', ['c1', 'c2']);
    // a --count run that stops early leaves the rest to the plain listen
    const one = await magpie(as('cat', '--timeout', '30', 'listen', '--count', '1'));
    expect(texts(one.lines)).toEqual(['c1']);
    await send('ann', 'cat', ['c3']);

    const listening = startMagpie(as('cat', '--timeout', '0', 'listen'));
    await listening.lineWhere((line) => line['text'] === 'c3', 30_000);
    await send('eve', 'cat', ['c4']);
    await listening.lineWhere((line) => line['text'] === 'c4', 30_000);
    listening.child.kill('SIGTERM');
    const plain = await listening.done;
    expect(plain.code, plain.stderr).toBe(0);
    expect(texts(plain.lines)).toEqual(['c2', 'c3', 'c4']);

    const next = startMagpie(as('cat', '--timeout', '30', 'listen', '--count', '1'));
    await sleep(1_500);
    await send('ann', 'cat', ['c5']);
    const after = await next.done;
    expect(after.code, after.stderr).toBe(0);
    expect(texts(after.lines)).toEqual(['c5']);
  });

  it('a fresh profile prints the newest N of its history; the older history is not printed by later runs', { timeout: 120_000 }, async () => {
    await send('ann', 'dan', ['h1', 'h2', 'h3', 'h4']);
    const fresh = await magpie(as('dan', '--timeout', '30', 'listen', '--count', '2'));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(texts(fresh.lines)).toEqual(['h3', 'h4']);

    await send('ann', 'dan', ['n1']);
    const next = await magpie(as('dan', '--timeout', '30', 'listen', '--count', '1'));
    expect(texts(next.lines)).toEqual(['n1']);
    const none = await magpie(as('dan', '--timeout', '3', 'listen', '--count', '1'));
    expect(none.code).toBe(3);
    expect(none.lines).toEqual([]);
  });

  it('a listen killed mid-print loses nothing: the next run goes on from the last line it wrote', { timeout: 150_000 }, async () => {
    await firstListen('fay');
    // lines of about 3 KB, each one write below the pipe's atomic size: a stalled stdout holds a few dozen
    const filler = 'x'.repeat(3_000);
    const backlog = numbered('k', 1, 80);
    await send('ann', 'fay', backlog.map((text) => `${text} ${filler}`));

    const file = clientStorePath(join(root, 'fay'), server.appId, 'fay');
    const before = progress(file);
    // stdout is not read: the pipe fills and the listen stalls mid-print; then it is killed
    const child = spawn(process.execPath, [BIN, ...as('fay', '--timeout', '60', 'listen')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    let raw = '';
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await stalled(file, before);
    child.kill('SIGKILL');
    child.stdout.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    child.stdout.resume();
    await exited;
    const complete = raw.split('\n').slice(0, -1);
    const killed = complete.map((line) => String((JSON.parse(line) as Record<string, unknown>)['text']).split(' ')[0]);
    expect(killed.length).toBeGreaterThan(0);
    expect(killed.length).toBeLessThan(backlog.length);
    expect(killed).toEqual(backlog.slice(0, killed.length));

    const rest = startMagpie(as('fay', '--timeout', '0', 'listen'));
    await rest.lineWhere((line) => String(line['text']).startsWith('k080 '), 30_000);
    rest.child.kill('SIGTERM');
    const resumed = (await rest.done).lines.map((line) => String(line['text']).split(' ')[0]);
    // the line being written at the kill may come again; nothing is skipped
    const overlap = killed.length - backlog.indexOf(resumed[0]!);
    expect(overlap).toBeGreaterThanOrEqual(0);
    expect(overlap).toBeLessThanOrEqual(1);
    expect([...killed, ...resumed.slice(overlap)]).toEqual(backlog);
  });
});

/** Waits until a listen has moved the cursor from `before`, then not moved it for a second: its stdout is full. */
async function stalled(file: string, before: string): Promise<void> {
  let last = before;
  let sameSince = Date.now();
  for (const started = Date.now(); Date.now() - started < 60_000; await sleep(200)) {
    const now = progress(file);
    if (now !== last) {
      last = now;
      sameSince = Date.now();
    } else if (now !== before && Date.now() - sameSince > 1_000) return;
  }
  throw new Error('the listen never stalled');
}

/** The listen cursor's mark and what is printed above it, '' while there is none to read. */
function progress(file: string): string {
  try {
    const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      const mark = db.prepare('SELECT message_mark FROM listen_cursor').pluck().get();
      const above = db.prepare('SELECT count(*) FROM listen_printed').pluck().get();
      return `${String(mark)}/${String(above)}`;
    } finally {
      db.close();
    }
  } catch {
    return '';
  }
}
