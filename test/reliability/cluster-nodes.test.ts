import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyFrame, ErrorCode, pb } from '../../protocol';
import type { MagpieClient } from '../../main/client/magpie-client';
import { TestClient } from '../support/test-client';
import { burstOutcome, faults, receivedCount, sendBurst, sentCount } from './support/burst-check';
import { createClientPool, scenarioSeed, seededRandom, sleep, suiteSize, waitUntil, type ClientTarget } from './support/client-pool';
import { startClusterOfProcesses, startOwnNats, type ClusterOfProcesses, type OwnNats } from './support/cluster-process';
import { reliabilityLine, sumDelivery } from './support/delivery-count';

// the bin's rate limit (50 requests/s after a burst of 100) paces the burst, as in server-sigkill
const MESSAGES = suiteSize({ ci: 600, full: 3_000 });
const SERVER_BIN = fileURLToPath(new URL('../../bin/magpie-server.js', import.meta.url));

const isPush = (frame: { name: string }) => frame.name === 'PUSH';
const entryOf = (frame: unknown) => (frame as { body: pb.Entry }).body;

describe('three cluster node processes on PostgreSQL and NATS', () => {
  const pool = createClientPool();
  let cluster: ClusterOfProcesses | undefined;
  let nats: OwnNats | undefined;
  const testClients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(testClients.splice(0).map((client) => client.close()));
    await pool.cleanup();
    await cluster?.close();
    cluster = undefined;
    await nats?.stop();
    nats = undefined;
  });

  async function loginAt(node: number, userId: string, options: { device?: pb.DeviceKind; deviceId?: string; mode?: pb.LoginMode } = {}) {
    const { appId, appToken } = cluster!.credentials;
    const client = await TestClient.connect(cluster!.nodes[node]!.port);
    testClients.push(client);
    await client.hello();
    const login = await client.loginWithAppToken(appId, appToken, userId, options);
    return { client, login };
  }

  /** Each client starts from its own node's address; the others it learns at login (advertised). */
  function targetAt(node: number): ClientTarget {
    return { servers: [cluster!.nodes[node]!.address], appId: cluster!.credentials.appId, appToken: cluster!.credentials.appToken };
  }

  it('refuses --cluster without a PostgreSQL database, with exit code 2', () => {
    const run = spawnSync(process.execPath, [SERVER_BIN, 'start', '--cluster', '--nats', 'nats://127.0.0.1:4222', '--node-id', 'x'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--cluster needs --db');
  });

  it('lets users on different nodes chat one-to-one and in a group, and a force login kick across nodes', { timeout: 120_000 }, async () => {
    cluster = await startClusterOfProcesses(3);
    await cluster.linked();
    expect(await cluster.nodes[1]!.health()).toMatchObject({ status: 'ready', node: 'node2', cluster: 'up', peers: 2, clusterSessions: 0 });

    const alice = await loginAt(0, 'alice01');
    const bob = await loginAt(1, 'bob01');
    const carol = await loginAt(2, 'carol01');
    // the other nodes' addresses are handed out at login
    expect(alice.login.advertisedAddresses).toEqual(expect.arrayContaining([cluster.nodes[1]!.address, cluster.nodes[2]!.address]));
    // presence has to reach the sender's node before its push can (a login's NOTIFY covers the gap)
    await cluster.linked(3);

    const sent = await alice.client.ask('SEND', { clientMsgId: new Uint8Array(16).fill(1), to: 'bob01', type: pb.MessageType.TEXT, text: 'across nodes' }, 'SENT');
    const pushed = entryOf(await bob.client.waitFor((frame) => isPush(frame) && entryOf(frame).item.case === 'message', 15_000));
    expect(pushed.item.value).toMatchObject({ msgId: sent.msgId, from: 'alice01', text: 'across nodes' });
    await bob.client.ask('READ', { conversation: 'alice01', upToMsgId: sent.msgId }, 'OK');
    const receipt = entryOf(await alice.client.waitFor((frame) => isPush(frame) && entryOf(frame).item.case === 'read', 15_000));
    expect(receipt.item.value).toMatchObject({ reader: 'bob01', upToMsgId: sent.msgId });
    bob.client.sendFrame(bodyFrame('TYPING', { to: 'alice01' }));
    expect(await alice.client.waitForPush('TYPING', 15_000)).toMatchObject({ from: 'bob01' });

    const created = await alice.client.ask('GROUP', { op: { case: 'create', value: { name: 'three nodes', members: ['bob01', 'carol01'] } } }, 'GROUP_RESULT');
    const groupId = (created.result.value as pb.GroupInfo).groupId;
    for (const member of [bob, carol]) {
      const notice = entryOf(await member.client.waitFor((frame) => isPush(frame) && entryOf(frame).item.case === 'notice', 15_000));
      expect(notice.item.value).toMatchObject({ kind: pb.NoticeKind.CREATE, groupId });
    }
    const inGroup = await carol.client.ask('SEND', { clientMsgId: new Uint8Array(16).fill(2), to: groupId, type: pb.MessageType.TEXT, text: 'hello group' }, 'SENT');
    for (const member of [alice, bob]) {
      const message = entryOf(await member.client.waitFor((frame) => isPush(frame) && entryOf(frame).item.case === 'message' && (entryOf(frame).item.value as pb.Message).msgId === inGroup.msgId, 15_000));
      expect(message.item.value).toMatchObject({ from: 'carol01', text: 'hello group' });
    }

    const oldDesk = await loginAt(0, 'dave01', { device: pb.DeviceKind.DESKTOP, deviceId: 'old-desk' });
    await cluster.linked(4);
    await loginAt(1, 'dave01', { device: pb.DeviceKind.DESKTOP, deviceId: 'new-desk', mode: pb.LoginMode.FORCE });
    const kicked = await oldDesk.client.waitForPush('KICKED', 15_000);
    expect(kicked).toMatchObject({ code: ErrorCode.KICKED_OFF, byDevice: pb.DeviceKind.DESKTOP });
    expect(kicked.reason).toContain('new-desk');
    await oldDesk.client.waitClosed(15_000);
  });

  /**
   * alice (starting on node 1) and carol (on node 3) write to bob (on node 2) at once, so two nodes
   * write bob's inbox together; returns when every store agrees, with both pairs' counts summed.
   */
  async function burstAcrossNodes(scenario: string, disrupt: (alice: MagpieClient) => Promise<Record<string, number>>): Promise<void> {
    const alice = await pool.client(targetAt(0), { user: 'alice' });
    const bob = await pool.client(targetAt(1), { user: 'bob' });
    const carol = await pool.client(targetAt(2), { user: 'carol' });
    await Promise.all([alice.start(), bob.start(), carol.start()]);
    await cluster!.linked(3);
    const startedMs = Date.now();
    const bursts = Promise.all([sendBurst(alice, 'bob', MESSAGES), sendBurst(carol, 'bob', MESSAGES)]);
    const extra = await disrupt(alice);
    await bursts;
    const done = () =>
      sentCount(alice, 'bob') === MESSAGES && sentCount(carol, 'bob') === MESSAGES && receivedCount(bob, 'alice') >= MESSAGES && receivedCount(bob, 'carol') >= MESSAGES;
    await waitUntil(done, 120_000, () =>
      `every message sent and delivered (alice sent ${sentCount(alice, 'bob')}, carol ${sentCount(carol, 'bob')}; bob holds ${receivedCount(bob, 'alice')} + ${receivedCount(bob, 'carol')})`,
    );
    const elapsedMs = Date.now() - startedMs;
    const [aliceFile, bobFile, carolFile] = [alice.store.file, bob.store.file, carol.store.file];
    for (const client of [alice, bob, carol]) pool.close(client);
    const outcomes = [burstOutcome(aliceFile, 'alice', bobFile, 'bob', MESSAGES), burstOutcome(carolFile, 'carol', bobFile, 'bob', MESSAGES)];
    const delivery = sumDelivery(outcomes.map((outcome) => outcome.delivery));
    console.log(reliabilityLine(scenario, delivery, { senders: 2, ...extra, ms: elapsedMs }));
    expect(faults(delivery)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
    for (const outcome of outcomes) {
      expect(outcome.senderStates).toEqual({ sent: MESSAGES });
      expect(faults(outcome.senderCopies)).toEqual({ lost: 0, duplicated: 0, misordered: 0 });
      expect(outcome.senderOutboxPending).toBe(0);
    }
  }

  it(`loses, repeats and reorders nothing of 2 × ${MESSAGES} messages when a sender's node is SIGKILLed mid-burst`, { timeout: 240_000 }, async () => {
    const seed = scenarioSeed();
    const random = seededRandom(seed);
    cluster = await startClusterOfProcesses(3);
    await cluster.linked();
    await burstAcrossNodes('cluster-node-sigkill', async (alice) => {
      const killAt = Math.floor(MESSAGES * (0.2 + 0.4 * random()));
      await waitUntil(() => sentCount(alice, 'bob') >= killAt, 90_000, () => `alice to have ${killAt} sent (has ${sentCount(alice, 'bob')})`);
      await cluster!.nodes[0]!.kill();
      return { kills: 1, killAt, seed };
    });
    expect(cluster.nodes.slice(1).every((node) => node.isAlive())).toBe(true);
  });

  it(`loses, repeats and reorders nothing of 2 × ${MESSAGES} messages when NATS restarts mid-burst`, { timeout: 240_000 }, async () => {
    const seed = scenarioSeed();
    const random = seededRandom(seed);
    nats = await startOwnNats();
    cluster = await startClusterOfProcesses(3, nats.url);
    await cluster.linked();
    await burstAcrossNodes('cluster-nats-restart', async (alice) => {
      const stopAt = Math.floor(MESSAGES * (0.2 + 0.4 * random()));
      await waitUntil(() => sentCount(alice, 'bob') >= stopAt, 90_000, () => `alice to have ${stopAt} sent (has ${sentCount(alice, 'bob')})`);
      await nats!.stop();
      const downMs = 500 + Math.floor(random() * 3_000);
      await sleep(downMs);
      await nats!.start();
      // the second outage takes the burst's end: no later push shows bob a gap, the catch-up NOTIFY must
      const tail = MESSAGES - 150;
      await waitUntil(() => sentCount(alice, 'bob') >= tail, 90_000, () => `alice to have ${tail} sent (has ${sentCount(alice, 'bob')})`);
      await nats!.stop();
      await waitUntil(() => sentCount(alice, 'bob') === MESSAGES, 90_000, () => `alice to have all sent while NATS is down (has ${sentCount(alice, 'bob')})`);
      await sleep(500);
      await nats!.start();
      return { restarts: 2, stopAt, downMs, seed };
    });
    await cluster.linked();
  });
});
