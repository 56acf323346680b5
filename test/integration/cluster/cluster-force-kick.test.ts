import { afterEach, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { MACHINE_NATS_URL, openClusterWorld, waitFor, type ClusterWorld } from './cluster-fixture';

let world: ClusterWorld | undefined;
let proxy: CutProxy | undefined;
afterEach(async () => {
  await world?.close();
  await proxy?.close();
  world = proxy = undefined;
});

const WAIT_MS = 15_000;

it('never lets a force login’s control held through a NATS outage kick a newer login: the older session goes', { timeout: 60_000 }, async () => {
  // node 2 reaches NATS through a proxy the test can cut
  proxy = await startCutProxy({ port: Number(new URL(MACHINE_NATS_URL).port) });
  world = await openClusterWorld(2, {}, [MACHINE_NATS_URL, `nats://${proxy.address}`]);
  const node2 = world.nodes[1]!.server;
  await world.settled();
  proxy.setRefusing(true);
  proxy.cutAll();
  await waitFor(() => node2.cluster()!.link === 'down', WAIT_MS, 'node 2 to see its link down');

  // a force login on node 2 while its link is down: its control waits for the reconnect
  const middle = await world.login(1, 'carol01', { device: pb.DeviceKind.DESKTOP, deviceId: 'mid-desk', mode: pb.LoginMode.FORCE });
  await new Promise((resolve) => setTimeout(resolve, 50));
  // a newer force login on node 1: its control never reaches node 2, whose link is down
  const newest = await world.login(0, 'carol01', { device: pb.DeviceKind.DESKTOP, deviceId: 'new-desk', mode: pb.LoginMode.FORCE });

  proxy.setRefusing(false);
  await waitFor(() => node2.cluster()!.link === 'up', WAIT_MS, 'node 2 to reconnect');
  // node 2's late control is older than the newest login: node 1 keeps it and tells node 2 again
  const kicked = await middle.client.waitForPush('KICKED', WAIT_MS);
  expect(kicked).toMatchObject({ code: ErrorCode.KICKED_OFF, byDevice: pb.DeviceKind.DESKTOP });
  expect(kicked.reason).toContain('new-desk');
  await middle.client.waitClosed(WAIT_MS);
  await world.settled();
  await newest.client.ping();
  expect(newest.client.pushes.some((frame) => frame.name === 'KICKED')).toBe(false);
  expect(world.nodes[0]!.server.stats().sessions).toBe(1);
  expect(node2.stats().sessions).toBe(0);
});
