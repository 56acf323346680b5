import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol';
import { magpie, startMagpie, type RunningCli } from '../support/cli-process';
import { startServerProcess, type ServerProcess } from './support/server-process';
import { mountSmallFilesystem, smallFilesystemAvailability, type SmallFilesystem } from './support/small-filesystem';

const MESSAGES = 40;

function errorLines(stderr: string): Array<{ code: number; name: string; message: string }> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{"code"'))
    .map((line) => JSON.parse(line) as { code: number; name: string; message: string });
}

/**
 * The disk under a user's local store fills up (the server's is fine): a send was answered
 * INTERNAL 500000, "disk I/O error", exit 1, as if the server had failed, and a `listen` whose
 * sync could not store what came in printed nothing at all. Now both name LOCAL_STORE_UNAVAILABLE
 * and the file, and once there is room again everything arrives, once and in order.
 */
describe("a full disk under the client's local store", () => {
  let fs: SmallFilesystem | undefined;
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  let listening: RunningCli | undefined;

  afterEach(async () => {
    listening?.child.kill('SIGKILL');
    await listening?.done.catch(() => undefined);
    await server?.kill();
    fs?.remove();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('is said as LOCAL_STORE_UNAVAILABLE (exit 6) by send and by a running listen, and nothing is lost once there is room', { timeout: 120_000 }, async () => {
    const availability = smallFilesystemAvailability();
    if (!availability.ok) {
      console.log(`reliability: client-disk-full NOT RUN: ${availability.reason}`);
      return;
    }
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-reliability-client-disk-'));
    server = await startServerProcess({ dataDir });
    fs = mountSmallFilesystem(2 * 1024 * 1024);
    const login = (user: string, profile: string): string[] => [
      '--server', `127.0.0.1:${server!.port}`, '--app', server!.credentials.appId, '--token', server!.credentials.appToken, '--user', user, '--profile', profile,
    ];
    const carol = login('carol', join(fs.path, 'carol'));
    const alice = login('alice', join(dataDir, 'alice-profile'));
    const file = join(fs.path, 'carol', server.credentials.appId, 'carol', 'magpie.db');

    expect((await magpie([...carol, 'outbox', 'flush'])).code).toBe(0);
    listening = startMagpie([...carol, '--timeout', '0', 'listen']);
    // listening: its catch-up is done once a message sent now comes through
    expect((await magpie([...alice, 'send', '--to', 'carol', '--text', 'before'])).code).toBe(0);
    await listening.lineWhere((line) => line['text'] === 'before');

    fs.fill();
    const padding = 'x'.repeat(2_000);
    const texts = Array.from({ length: MESSAGES }, (_, i) => `full #${i + 1} ${padding}`);
    expect((await magpie([...alice, 'send', '--to', 'carol', '--stdin'], texts.join('\n'))).code).toBe(0);
    const running = listening;
    await waitFor(() => errorLines(running.stderr()).length > 0, 20_000, () => `an error line from listen; stderr: ${running.stderr()}`);
    const told = errorLines(running.stderr());
    expect(told[0]).toMatchObject({ code: ErrorCode.LOCAL_STORE_UNAVAILABLE, name: 'LOCAL_STORE_UNAVAILABLE' });
    expect(told[0]!.message).toContain(file);

    // the listener stops while the disk is full; what it printed is what it stored, in order
    listening.child.kill('SIGTERM');
    const printed = (await listening.done).lines.map((line) => String(line['text']));
    listening = undefined;
    expect(printed.length).toBeLessThan(MESSAGES + 1);
    expect(printed).toEqual(['before', ...texts].slice(0, printed.length));
    // its store's close gave back the room its write-ahead log held: take that too
    fs.fill();

    const refused = await magpie([...carol, '--timeout', '5', 'send', '--to', 'alice', '--text', 'from a full disk']);
    expect(refused.code).toBe(6);
    const [error] = errorLines(refused.stderr);
    expect(error).toMatchObject({ code: ErrorCode.LOCAL_STORE_UNAVAILABLE, name: 'LOCAL_STORE_UNAVAILABLE' });
    expect(error!.message).toContain(file);
    expect(error!.message).toMatch(/free some space/);

    fs.free();
    const history = await magpie([...carol, 'history', '--with', 'alice', '--limit', '100']);
    expect(history.code).toBe(0);
    expect(history.lines.map((line) => line['text'])).toEqual(['before', ...texts]);
    const sent = await magpie([...carol, 'send', '--to', 'alice', '--text', 'room again']);
    expect(sent.code).toBe(0);
    console.log(`reliability: client-disk-full received=${history.lines.length - 1}/${MESSAGES} toldWhileFull=${told.length}`);
  });
});

async function waitFor(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
