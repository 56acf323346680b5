import { afterEach, describe, expect, it } from 'vitest';
import { openClusterWorld, type ClusterWorld } from './cluster-fixture';

const MiB = 1024 * 1024;

describe("a cluster node tells a login the cluster's limits", () => {
  let world: ClusterWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('on every node, from its tuning', async () => {
    world = await openClusterWorld(2, { revokeWindowMs: 5_000, maxFileBytes: MiB });
    for (const node of [0, 1]) {
      const session = await world.login(node, `user-${node}`);
      expect(session.login.limits).toMatchObject({ revokeWindowMs: 5_000n, maxFileBytes: BigInt(MiB), maxImageBytes: BigInt(20 * MiB) });
    }
  });
});
