import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { dropSchema, freshSchemaUrl, MACHINE_NATS_URL } from './cluster-fixture';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const run = promisify(execFile);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/**
 * A cluster node links to NATS before it listens; on a taken port its start must still say only
 * why (docs/server.md, exit 1: "nothing else on stderr"), not that it joined a cluster it is leaving.
 */
it('a cluster node on a taken port says so in one line and exits 1', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'magpie-cluster-port-'));
  const database = freshSchemaUrl();
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await new Promise((resolve) => blocker.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
    dropSchema(database.schema);
  });
  const taken = (blocker.address() as AddressInfo).port;
  const args = ['start', '--cluster', '--cluster-name', `cltest-port-${process.pid}`, '--db', database.url, '--nats', MACHINE_NATS_URL];
  args.push('--node-id', 'n1', '--port', String(taken), '--http-port', '0', '--data', dataDir);
  const result = await run(process.execPath, [BIN, ...args], { timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`magpie-server: could not start: listen EADDRINUSE: address already in use 127.0.0.1:${taken}\n`);
}, 90_000);
