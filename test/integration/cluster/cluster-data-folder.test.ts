import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startClusterOfProcesses, type ClusterOfProcesses } from '../../reliability/support/cluster-process';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const run = promisify(execFile);

/** Cluster nodes share one data folder (docs/server.md "Cluster mode"): what each leaves in it. */
describe('the data folder cluster nodes share', () => {
  let cluster: ClusterOfProcesses | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('holds a pid file per node, each removed when its own node stops; a second process under a running node’s id does not start; admin commands there ask for --db', { timeout: 90_000 }, async () => {
    cluster = await startClusterOfProcesses(2);
    const [first, second] = cluster.nodes as [ClusterOfProcesses['nodes'][0], ClusterOfProcesses['nodes'][0]];
    const pidOf = (id: string) => Number(readFileSync(join(cluster!.dataDir, `server-${id}.pid`), 'utf8').trim());
    expect(pidOf(first.id)).toBe(first.pid);
    expect(pidOf(second.id)).toBe(second.pid);
    // the single server's file would name only whichever node wrote it last
    expect(existsSync(join(cluster.dataDir, 'server.pid'))).toBe(false);

    // a second process under a running node's id stops before it listens, in one line, exit 1
    const twin = await cluster.startNode(first.id).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(twin).toContain(`exited (code 1, signal null) before listening:\nmagpie-server: node id ${first.id} is in use by a running node (pid ${first.pid} on `);
    expect(pidOf(first.id)).toBe(first.pid);
    expect((await first.health()).status).toBe('ready');

    await second.stop();
    expect(existsSync(join(cluster.dataDir, `server-${second.id}.pid`))).toBe(false);
    expect(pidOf(first.id)).toBe(first.pid);

    // without --db an admin command would look for a SQLite file that a PostgreSQL server never makes
    const result = await run(process.execPath, [BIN, 'app', 'list', '--account', cluster.credentials.accountSid, '--data', cluster.dataDir]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stderr)).toMatchObject({
      error: {
        code: ErrorCode.NO_MAGPIE_DATA,
        message: `no SQLite database in ${cluster.dataDir}: a server that keeps its data in PostgreSQL uses this folder; give its --db postgres://…`,
      },
    });
  });
});
