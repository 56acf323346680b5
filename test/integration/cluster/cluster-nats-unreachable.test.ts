import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsUnreachableError } from '../../../server/cluster/nats-link';
import { createMagpieServer } from '../../../server/server';
import { DEFAULT_TUNING } from '../../../server/tuning';
import { dropSchema, freshSchemaUrl } from './cluster-fixture';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const run = promisify(execFile);

/** A port on which nothing listens: taken, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a cluster node whose NATS cannot be reached at start', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function freshNode(): Promise<{ dataDir: string; database: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'magpie-cluster-nonats-'));
    const database = freshSchemaUrl();
    cleanups.push(async () => {
      await rm(dataDir, { recursive: true, force: true });
      dropSchema(database.schema);
    });
    return { dataDir, database: database.url };
  }

  it('gives up after clusterNatsStartTimeoutMs with the reason, never the URL’s password', async () => {
    const { dataDir, database } = await freshNode();
    const server = createMagpieServer({
      dataDir,
      database,
      host: '127.0.0.1',
      port: 0,
      httpPort: 0,
      tuning: { scryptCost: 1024, clusterNatsStartTimeoutMs: 1_000 },
      cluster: { natsUrl: `nats://magpie:s3cret@127.0.0.1:${await closedPort()}`, nodeId: 'n9', subjectPrefix: `cltest-nonats-${process.pid}` },
      logger: pino({ level: 'silent' }),
    });
    const began = Date.now();
    try {
      const failure = await server.start().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(NatsUnreachableError);
      expect((failure as Error).message).toMatch(/^cannot reach NATS at nats:\/\/\*\*\*@127\.0\.0\.1:\d+: connection refused$/);
      expect(Date.now() - began).toBeGreaterThanOrEqual(750);
      expect(Date.now() - began).toBeLessThan(5_000);
    } finally {
      await server.stop();
    }
  });

  it('magpie-server start exits 4 with one line within the bounded wait, not a hung node', async () => {
    const { dataDir, database } = await freshNode();
    const port = await closedPort();
    const args = ['start', '--cluster', '--cluster-name', `cltest-nonats-${process.pid}`, '--db', database, '--nats', `nats://magpie:s3cret@127.0.0.1:${port}`];
    args.push('--node-id', 'n9', '--port', '0', '--http-port', '0', '--data', dataDir, '--log-level', 'error');
    const began = Date.now();
    const result = await run(process.execPath, [BIN, ...args], { timeout: 60_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
    const tookMs = Date.now() - began;
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([`magpie-server: cannot reach NATS at nats://***@127.0.0.1:${port}: connection refused`]);
    // the default wait, plus a process's start and stop; far from the 60 s that would mean a hang
    expect(tookMs).toBeGreaterThanOrEqual(DEFAULT_TUNING.clusterNatsStartTimeoutMs - 1_000);
    expect(tookMs).toBeLessThan(DEFAULT_TUNING.clusterNatsStartTimeoutMs + 15_000);
  }, 90_000);
});
