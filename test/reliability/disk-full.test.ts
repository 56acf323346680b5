import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, isMagpieError, pb } from '../../protocol';
import type { DemoCredentials } from '../../server/cli/demo';
import { TestClient } from '../support/test-client';
import { mountSmallFilesystem, smallFilesystemAvailability, type SmallFilesystem } from './support/small-filesystem';

const REPO_ROOT = join(import.meta.dirname, '../..');
const SERVER_BIN = join(REPO_ROOT, 'bin/magpie-server.js');
const FILESYSTEM_BYTES = 24 * 1024 * 1024;
/** 4,000 three-byte characters: about 12 KB a message, so the log of writes grows fast. */
const BIG_TEXT = '满'.repeat(4_000);
const ANSWER_MS = 5_000;

interface Outcome {
  readonly sent: number;
  readonly unavailable: number;
  readonly other: string[];
}

/** The bin as shipped, its database and its log file (stderr) on the same small file system. */
function startServer(fs: SmallFilesystem): { child: ChildProcess; port: Promise<number>; exited: Promise<number | null> } {
  const log = openSync(join(fs.path, 'server.log'), 'a');
  const child = spawn(
    process.execPath,
    [SERVER_BIN, 'start', '--port', '0', '--http-port', '0', '--data', join(fs.path, 'data'), '--demo', '--log-level', 'debug'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', log] },
  );
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const match = /"listening":\{[^}]*"port":(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
  });
  return { child, port, exited };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (the server stopped answering)`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a full disk under the database and the log file', () => {
  let fs: SmallFilesystem | undefined;
  let server: ReturnType<typeof startServer> | undefined;
  const clients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    fs?.remove();
  });

  it('answers STORAGE_UNAVAILABLE while full, keeps serving, and recovers when space returns', { timeout: 120_000 }, async () => {
    const availability = smallFilesystemAvailability();
    if (!availability.ok) {
      // not a silent skip: the reason is printed where the counts would be, and the report says NOT RUN
      console.warn(`reliability: disk-full NOT RUN: ${availability.reason}`);
      return;
    }
    const startedMs = Date.now();
    fs = mountSmallFilesystem(FILESYSTEM_BYTES);
    server = startServer(fs);
    const port = await server.port;
    const demo = JSON.parse(readFileSync(join(fs.path, 'data', 'demo.json'), 'utf8')) as DemoCredentials;
    const login = async (user: string): Promise<TestClient> => {
      const client = await TestClient.connect(port);
      clients.push(client);
      await withTimeout(client.hello(), ANSWER_MS, 'HELLO');
      const { voipPwd } = demo.users.find((u) => u.voipAccount === user)!;
      await withTimeout(client.loginWithPassword(user, voipPwd), ANSWER_MS, 'LOGIN');
      return client;
    };
    const alice = await login('alice');
    let n = 0;
    const sentTexts: string[] = [];
    const send = async (text: string, outcome: { sent: number; unavailable: number; other: string[] }): Promise<void> => {
      const clientMsgId = new Uint8Array(16);
      new DataView(clientMsgId.buffer).setUint32(12, ++n);
      const numbered = `#${n} ${text}`;
      try {
        await withTimeout(alice.ask('SEND', { clientMsgId, to: 'bob', type: pb.MessageType.TEXT, text: numbered }, 'SENT'), ANSWER_MS, `SEND #${n}`);
        outcome.sent++;
        sentTexts.push(numbered);
      } catch (error) {
        if (isMagpieError(error) && error.code === ErrorCode.STORAGE_UNAVAILABLE) outcome.unavailable++;
        else if (isMagpieError(error)) outcome.other.push(`${error.code} ${error.message}`);
        else throw error;
      }
    };
    const before: Outcome = { sent: 0, unavailable: 0, other: [] };
    await send('before', before);
    expect(before.sent).toBe(1);

    const filled = fs.fill();
    let bob = await login('bob');
    const full: Outcome = { sent: 0, unavailable: 0, other: [] };
    // logins and sends make the server write its log and its database: both must fail softly
    for (let i = 0; i < 60 && full.unavailable < 5; i++) {
      await send(BIG_TEXT, full);
      // SQLite gives back what a failed write took; the filler takes it again, so the log line of
      // the login below meets a full disk for certain
      fs.fill();
      if (i % 10 === 0) {
        // one bob at a time: the logins are here for the log lines they write, not to pile up sessions
        await bob.close();
        bob = await login('bob');
      }
      await withTimeout(alice.ping(), ANSWER_MS, 'PING while full');
    }
    expect(full.other).toEqual([]);
    expect(full.unavailable).toBeGreaterThan(0);
    expect(server.child.exitCode).toBeNull();

    fs.free();
    const after: Outcome = { sent: 0, unavailable: 0, other: [] };
    // the disk is back: the next sends are stored (a checkpoint may need a moment to catch up)
    const deadline = Date.now() + 10_000;
    while (after.sent < 20 && Date.now() < deadline) await send('after', after);
    expect(after.other).toEqual([]);
    expect(after.sent).toBe(20);
    await bob.close();
    bob = await login('bob');
    const page = await withTimeout(bob.ask('SYNC', { afterSeq: 0n, limit: 200 }, 'SYNC_PAGE'), ANSWER_MS, 'SYNC');
    const received = page.entries
      .filter((e) => e.item.case === 'message')
      .map((e) => (e.item.value as pb.Message).text);
    // every message answered SENT is stored once, in order; none refused is there
    expect(received).toEqual(sentTexts);
    // the log stream came back too: lines written after the disk was freed are in the file
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(server.child.exitCode).toBeNull();

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const logText = readFileSync(join(fs.path, 'server.log'), 'utf8');
    expect(logText).toMatch(/log lines dropped/);
    console.log(
      `reliability: disk-full filledBytes=${filled} sentBefore=${before.sent} sentWhileFull=${full.sent} storageUnavailable=${full.unavailable} sentAfter=${after.sent} lost=0 serverAlive=true ms=${Date.now() - startedMs}`,
    );
  });
});
