import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bodyFrame, ErrorCode, pb } from '../../../protocol';
import { restClient } from '../rest/rest-fixture';
import { isMessage, isNotice } from '../server/chat-fixture';
import { openClusterWorld, waitFor, type ClusterWorld } from './cluster-fixture';

/** Generous: two loaded cores run other suites beside this one. */
const WAIT_MS = 15_000;

let world: ClusterWorld;
beforeEach(async () => {
  world = await openClusterWorld(3);
});
afterEach(async () => {
  await world.close();
});

const groupIdOf = (result: pb.GroupResult['result']): string => {
  if (result.case !== 'group') throw new Error(`expected a group, got ${String(result.case)}`);
  return result.value.groupId;
};

describe('routing between cluster nodes', () => {
  it('pushes a one-to-one message, its read receipt and typing across nodes', async () => {
    const alice = await world.login(0, 'alice01');
    const bob = await world.login(1, 'bob01');
    await world.settled();
    const sent = await alice.text('bob01', 'hello from node 1', 1);
    const pushed = await bob.nextPush(isMessage, WAIT_MS);
    expect(pushed.item.value).toMatchObject({ msgId: sent.msgId, from: 'alice01', text: 'hello from node 1' });
    await bob.client.ask('READ', { conversation: 'alice01', upToMsgId: sent.msgId }, 'OK');
    const receipt = await alice.nextPush((entry) => entry.item.case === 'read', WAIT_MS);
    expect(receipt.item.value).toMatchObject({ reader: 'bob01', upToMsgId: sent.msgId });
    bob.client.sendFrame(bodyFrame('TYPING', { to: 'alice01' }));
    expect(await alice.client.waitForPush('TYPING', WAIT_MS)).toMatchObject({ from: 'bob01', to: 'alice01' });
  });

  it('shows a mute update on the user’s device on another node', async () => {
    const desk = await world.login(0, 'mia01', { device: pb.DeviceKind.DESKTOP });
    const phone = await world.login(1, 'mia01', { device: pb.DeviceKind.MOBILE });
    await world.settled();
    await desk.client.ask('MUTE_UPDATE', { mute: ['noisy01'], unmute: [] }, 'MUTES');
    expect(await phone.client.waitForPush('MUTES', WAIT_MS)).toMatchObject({ peers: ['noisy01'] });
  });

  it('gives the sender’s device on another node its own copy', async () => {
    const desk = await world.login(0, 'alice01', { device: pb.DeviceKind.DESKTOP });
    const phone = await world.login(2, 'alice01', { device: pb.DeviceKind.MOBILE });
    await world.settled();
    const sent = await desk.text('bob01', 'from my desk', 1);
    const copy = await phone.nextPush(isMessage, WAIT_MS);
    expect(copy.seq).toBe(sent.seq);
  });

  it('carries a group’s notices and messages to members on every node', async () => {
    const owner = await world.login(0, 'owner01');
    const ownerPhone = await world.login(2, 'owner01', { device: pb.DeviceKind.MOBILE });
    const two = await world.login(1, 'member02');
    const three = await world.login(2, 'member03');
    await world.settled();
    const groupId = groupIdOf(await owner.group({ case: 'create', value: { name: 'spread', members: ['member02', 'member03'] } }));
    await two.nextPush(isNotice(pb.NoticeKind.CREATE), WAIT_MS);
    await three.nextPush(isNotice(pb.NoticeKind.CREATE), WAIT_MS);
    const sent = await two.text(groupId, 'hi all', 1);
    for (const member of [owner, three]) {
      expect((await member.nextPush(isMessage, WAIT_MS)).item.value).toMatchObject({ msgId: sent.msgId, text: 'hi all' });
    }
    // a group's read mark goes to the reader's other devices (the sender asks READERS_QUERY)
    await owner.client.ask('READ', { conversation: groupId, upToMsgId: sent.msgId }, 'OK');
    expect((await ownerPhone.nextPush((entry) => entry.item.case === 'read', WAIT_MS)).item.value).toMatchObject({ reader: 'owner01', conversation: groupId });
  });

  it('lets a force login on one node kick the same device kind on another, told why', async () => {
    const first = await world.login(0, 'carol01', { device: pb.DeviceKind.DESKTOP, deviceId: 'old-desk' });
    const phone = await world.login(0, 'carol01', { device: pb.DeviceKind.MOBILE, deviceId: 'phone' });
    await world.settled();
    const second = await world.login(1, 'carol01', { device: pb.DeviceKind.DESKTOP, deviceId: 'new-desk', mode: pb.LoginMode.FORCE });
    const kicked = await first.client.waitForPush('KICKED', WAIT_MS);
    expect(kicked).toMatchObject({ code: ErrorCode.KICKED_OFF, byDevice: pb.DeviceKind.DESKTOP });
    expect(kicked.reason).toContain('new-desk');
    await first.client.waitClosed(WAIT_MS);
    await phone.client.ping();
    await second.client.ping();
    await world.settled();
    expect(world.nodes[0]!.server.stats().sessions).toBe(1);
  });

  it('ends sessions on every node when the app is taken offline on one', async () => {
    const sessions = [await world.login(0, 'dan01'), await world.login(1, 'erin01'), await world.login(2, 'finn01')];
    await world.settled();
    world.nodes[0]!.server.access.setAppState(world.appId, 'offline', 'maintenance');
    for (const session of sessions) {
      expect(await session.client.waitForPush('KICKED', WAIT_MS)).toMatchObject({ code: ErrorCode.APP_OFFLINE });
    }
  });

  it('hands out the other nodes’ addresses at login, and forgets a node that stops', async () => {
    await world.settled();
    const ida = await world.login(0, 'ida01');
    const advertised = ida.login.advertisedAddresses;
    expect(advertised).toEqual(expect.arrayContaining([`127.0.0.1:${world.nodes[1]!.port}`, `127.0.0.1:${world.nodes[2]!.port}`]));
    const hal = await world.login(2, 'hal01');
    await world.settled();
    expect(world.nodes[0]!.server.cluster()!.clusterSessions).toBe(2);
    await world.stopNode(2);
    await hal.client.waitClosed(WAIT_MS);
    await waitFor(() => world.nodes[0]!.server.cluster()!.peers === 1, 5_000, 'node 1 to forget node 3');
    expect(world.nodes[0]!.server.cluster()!.clusterSessions).toBe(1);
  });

  it('answers the REST presence query for users on any node', async () => {
    await world.login(1, 'jan01', { deviceId: 'jan-desk' });
    await world.login(2, 'jan01', { device: pb.DeviceKind.MOBILE, deviceId: 'jan-phone' });
    await world.settled();
    const call = restClient(`http://127.0.0.1:${world.nodes[0]!.httpPort}`, world.accountSid, world.authToken);
    const presence = await call('POST', `/v1/accounts/{sid}/apps/${world.appId}/presence`, { users: ['jan01', 'kim01'] });
    expect(presence.status, presence.text).toBe(200);
    expect(presence.json.users).toEqual([
      { userId: 'jan01', online: true, devices: expect.arrayContaining(['jan-desk', 'jan-phone']) },
      { userId: 'kim01', online: false, devices: [] },
    ]);
  });

  it('pushes a large group’s timeline entries to members on other nodes', async () => {
    await world.close();
    // read diffusion from 2 members on: the group's messages live once, in its timeline
    world = await openClusterWorld(3, { groupTimelineThreshold: 2 });
    const owner = await world.login(0, 'owner01');
    const two = await world.login(1, 'member02');
    const three = await world.login(2, 'member03');
    await world.settled();
    const groupId = groupIdOf(await owner.group({ case: 'create', value: { name: 'big', members: ['member02', 'member03'] } }));
    const sent = await owner.text(groupId, 'to the timeline', 1);
    for (const member of [two, three]) {
      const entry = await member.nextPush((e) => e.item.case === 'message' && e.groupId === groupId, WAIT_MS);
      expect(entry.item.value).toMatchObject({ msgId: sent.msgId, text: 'to the timeline' });
    }
  });
});
