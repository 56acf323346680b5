import { afterEach, expect, it } from 'vitest';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { MACHINE_NATS_URL, openClusterWorld, waitFor, type ClusterWorld } from './cluster-fixture';

let world: ClusterWorld | undefined;
let proxy: CutProxy | undefined;
afterEach(async () => {
  await world?.close();
  await proxy?.close();
});

const WAIT_MS = 15_000;

it('catches up both sides when one node’s link to NATS is cut while the other’s stays up', { timeout: 60_000 }, async () => {
  // node 2 reaches NATS through a proxy the test can cut; node 1 straight
  proxy = await startCutProxy({ port: Number(new URL(MACHINE_NATS_URL).port) });
  world = await openClusterWorld(2, {}, [MACHINE_NATS_URL, `nats://${proxy.address}`]);
  const alice = await world.login(0, 'alice01');
  const bob = await world.login(1, 'bob01');
  await world.settled();
  // the NOTIFY each login gets a moment later (clusterLoginRecheckMs) is out of the way first
  await alice.client.waitFor((frame) => frame.name === 'NOTIFY', WAIT_MS);
  await bob.client.waitFor((frame) => frame.name === 'NOTIFY', WAIT_MS);
  alice.client.pushes.length = 0;
  bob.client.pushes.length = 0;

  proxy.setRefusing(true);
  proxy.cutAll();
  const node2 = world.nodes[1]!.server;
  await waitFor(() => node2.cluster()!.link === 'down', WAIT_MS, 'node 2 to see its link down');
  // node 1 still thinks bob is there: its push goes to a subject nobody reads; node 2 drops its own
  const toBob = await alice.text('bob01', 'while you were cut off', 1);
  const toAlice = await bob.text('alice01', 'me too', 2);
  await alice.client.ping();
  await bob.client.ping();
  expect(bob.client.pushes.filter((frame) => frame.name === 'PUSH')).toHaveLength(0);
  expect(alice.client.pushes.filter((frame) => frame.name === 'PUSH' && frame.body.item.case === 'message')).toHaveLength(0);

  proxy.setRefusing(false);
  // each side is told to pull up to (at least) the message it missed
  const bobNotify = await bob.client.waitFor((frame) => frame.name === 'NOTIFY' && frame.body.maxSeq >= toBob.seq, WAIT_MS);
  const aliceNotify = await alice.client.waitFor((frame) => frame.name === 'NOTIFY' && frame.body.maxSeq >= toAlice.seq, WAIT_MS);
  expect([bobNotify.name, aliceNotify.name]).toEqual(['NOTIFY', 'NOTIFY']);
  expect((await bob.syncAll()).some((entry) => entry.item.case === 'message' && entry.item.value.msgId === toBob.msgId)).toBe(true);
  await world.settled();
});
