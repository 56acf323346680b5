import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliLoginArgs, magpie, startMagpie, type CliRun } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `send --stdin` reading a terminal (or a pipe whose writer lives on) ends on Ctrl-C or SIGTERM,
 * as every command does: it reported nothing and ran on until stdin ended.
 */
describe('magpie send --stdin interrupted while stdin stays open', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-stdin-interrupt-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`ends on ${signal}, printing the lines it sent, and sends none twice`, { timeout: 60_000 }, async () => {
      const sender = `stdin-${signal.toLowerCase()}`;
      const sending = startMagpie(as(sender, '--timeout', '0', 'send', '--to', 'rita', '--stdin'), `one ${signal}\ntwo ${signal}\n`, {}, { holdStdin: true });
      // both lines are on the server: the command now only waits for more input
      const received = async (): Promise<unknown[]> => (await magpie(as('rita', 'history', '--with', sender))).lines.map((line) => line['text']);
      for (let i = 0; i < 100 && (await received()).length < 2; i++) await sleep(200);
      expect(await received()).toEqual([`one ${signal}`, `two ${signal}`]);

      sending.child.kill(signal);
      const ended = await Promise.race([sending.done, sleep(10_000).then((): CliRun | undefined => undefined)]);
      if (ended === undefined) sending.child.kill('SIGKILL');
      expect(ended, 'still running 10 s after the signal').toBeDefined();
      expect(ended!.code, ended!.stderr).toBe(0);
      expect(ended!.lines).toEqual([
        expect.objectContaining({ text: `one ${signal}`, state: 'sent' }),
        expect.objectContaining({ text: `two ${signal}`, state: 'sent' }),
      ]);
      expect((await magpie(as(sender, 'outbox'))).lines).toEqual([]);
    });
  }
});
