import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { MACHINE_NATS, startClusterOfProcesses, startNodeProcess, type ClusterOfProcesses } from '../../reliability/support/cluster-process';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const run = promisify(execFile);

/**
 * The nodes share the data folder because its server.key sealed the database's app and auth tokens
 * (docs/server.md "Cluster mode"). A node given another folder started, joined the cluster and
 * answered every login with INTERNAL; it must be refused before it listens.
 */
describe('a cluster node or admin command on another data folder than the database’s', () => {
  let cluster: ClusterOfProcesses | undefined;
  const folders: string[] = [];
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('is refused in one line, exit 3, before it listens; a folder with no key gets none', { timeout: 120_000 }, async () => {
    cluster = await startClusterOfProcesses(1);
    const { database, clusterName } = cluster;

    // a folder of its own with another key (another cluster's, or a copy made by a fresh start)
    const otherKey = mkdtempSync(join(tmpdir(), 'magpie-other-key-'));
    folders.push(otherKey);
    writeFileSync(join(otherKey, 'server.key'), randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
    const refused = await startNodeProcess({ id: 'node2', dataDir: otherKey, database, natsUrl: MACHINE_NATS, clusterName }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refused).toBe(
      `node node2 exited (code 3, signal null) before listening:\nmagpie-server: the server.key in ${otherKey} is not the key the database's secrets were sealed with: ` +
        'give --data the folder the database was first used with (cluster nodes share one), or check --db',
    );

    // a mistyped --data: nothing is made there, not even a key
    const empty = join(tmpdir(), `magpie-no-folder-${randomBytes(4).toString('hex')}`);
    folders.push(empty);
    const noKey = await startNodeProcess({ id: 'node3', dataDir: empty, database, natsUrl: MACHINE_NATS, clusterName }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(noKey).toContain(`exited (code 3, signal null) before listening:\nmagpie-server: ${empty} holds no server.key, but the database holds secrets sealed with one`);
    expect(existsSync(join(empty, 'server.key'))).toBe(false);

    // an admin command there would seal a new app's token with the wrong key
    const admin = await run(process.execPath, [BIN, 'app', 'create', '--account', cluster.credentials.accountSid, '--name', 'wrong key', '--data', otherKey, '--db', database]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(admin.code).toBe(3);
    expect(JSON.parse(admin.stderr)).toMatchObject({ error: { code: ErrorCode.SERVER_KEY_MISMATCH, name: 'SERVER_KEY_MISMATCH' } });

    // the cluster's own folder still serves: the node running on it, and admin commands there
    expect((await cluster.nodes[0]!.health()).status).toBe('ready');
    const list = await run(process.execPath, [BIN, 'app', 'list', '--account', cluster.credentials.accountSid, '--data', cluster.dataDir, '--db', database]);
    expect(JSON.parse(list.stdout)).toMatchObject({ apps: [{ appId: cluster.credentials.appId, name: 'Magpie demo' }] });
  });
});
