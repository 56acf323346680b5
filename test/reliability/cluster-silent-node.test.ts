import { afterEach, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { TestClient } from '../support/test-client';
import { startClusterOfProcesses, type ClusterOfProcesses } from './support/cluster-process';
import { sleep, waitUntil } from './support/client-pool';

/**
 * A node whose event loop is blocked for longer than the silence limit (here: its process stopped
 * with SIGSTOP, its NATS connection left open) is forgotten by the others; messages to its users
 * are stored, not routed. When it runs again both sides notice and its sessions pull.
 */
let cluster: ClusterOfProcesses | undefined;
const clients: TestClient[] = [];
let stoppedPid: number | undefined;
let peers = -1;

afterEach(async () => {
  if (stoppedPid !== undefined) process.kill(stoppedPid, 'SIGCONT');
  stoppedPid = undefined;
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await cluster?.close();
  cluster = undefined;
});

const isPush = (frame: { name: string }) => frame.name === 'PUSH';
const entryOf = (frame: unknown) => (frame as { body: pb.Entry }).body;

async function loginAt(node: number, userId: string): Promise<TestClient> {
  const { appId, appToken } = cluster!.credentials;
  const client = await TestClient.connect(cluster!.nodes[node]!.port);
  clients.push(client);
  await client.hello();
  await client.loginWithAppToken(appId, appToken, userId);
  return client;
}

it('catches up a node that was blocked for longer than the silence limit while its NATS link stayed up', { timeout: 120_000 }, async () => {
  cluster = await startClusterOfProcesses(2);
  await cluster.linked();
  const alice = await loginAt(0, 'alice01');
  const bob = await loginAt(1, 'bob01');
  await cluster.linked(2);
  // the NOTIFY each login gets a moment later (clusterLoginRecheckMs) is out of the way first
  await alice.waitFor((frame) => frame.name === 'NOTIFY', 15_000);
  await bob.waitFor((frame) => frame.name === 'NOTIFY', 15_000);
  bob.pushes.length = 0;

  const node2 = cluster.nodes[1]!;
  stoppedPid = node2.pid;
  process.kill(node2.pid, 'SIGSTOP');
  // node 1 forgets node 2 (silence limit 3 s by default) while node 2 is stopped
  await waitUntil(
    () => {
      void cluster!.nodes[0]!.health().then((health) => (peers = health.peers ?? -1));
      return peers === 0;
    },
    30_000,
    () => 'node 1 to forget the stopped node 2',
  );
  // stored for bob, never routed: node 1 knows no session of his now
  const sent = await alice.ask('SEND', { clientMsgId: new Uint8Array(16).fill(7), to: 'bob01', type: pb.MessageType.TEXT, text: 'while you were stopped' }, 'SENT');
  process.kill(node2.pid, 'SIGCONT');
  stoppedPid = undefined;

  const notify = await bob.waitFor((frame) => frame.name === 'NOTIFY' && frame.body.maxSeq >= sent.seq, 30_000);
  expect(notify.name).toBe('NOTIFY');
  const page = await bob.ask('SYNC', { afterSeq: 0n, limit: 200 }, 'SYNC_PAGE');
  expect(page.entries.some((entry) => entry.item.case === 'message' && entry.item.value.msgId === sent.msgId)).toBe(true);
  // and routing works again both ways
  await cluster.linked(2);
  await sleep(200);
  const back = await bob.ask('SEND', { clientMsgId: new Uint8Array(16).fill(8), to: 'alice01', type: pb.MessageType.TEXT, text: 'back' }, 'SENT');
  const pushed = entryOf(await alice.waitFor((frame) => isPush(frame) && entryOf(frame).item.case === 'message' && (entryOf(frame).item.value as pb.Message).msgId === back.msgId, 15_000));
  expect(pushed.item.value).toMatchObject({ text: 'back' });
});
