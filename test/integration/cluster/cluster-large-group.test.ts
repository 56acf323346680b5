import { afterEach, expect, it } from 'vitest';
import { type pb } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import type { Session } from '../server/chat-fixture';
import { openClusterWorld, waitFor, type ClusterWorld } from './cluster-fixture';

let world: ClusterWorld | undefined;
let old: TestClient | undefined;
afterEach(async () => {
  await old?.close();
  await world?.close();
  world = old = undefined;
});

const WAIT_MS = 20_000;

/** The timeline messages pushed to a session so far, in arrival order. */
function pushedTimeline(session: Session, groupId: string): string[] {
  return session.client.pushes
    .filter((frame) => frame.name === 'PUSH' && frame.body.groupId === groupId && frame.body.item.case === 'message')
    .map((frame) => ((frame.body as pb.Entry).item.value as pb.Message).text);
}

it('pushes a read-diffused group’s messages to its members on three nodes, each once and in order, and copies to a 2.0 session’s inbox on another node', { timeout: 90_000 }, async () => {
  // read diffusion from 2 members on; pushes coalesced per group (Delivery.toUsersSince across nodes)
  world = await openClusterWorld(3, { groupTimelineThreshold: 2, largeGroupPushIntervalMs: 20 });
  const owner = await world.login(0, 'owner01');
  const one = await world.login(0, 'member01');
  const two = await world.login(1, 'member02');
  const three = await world.login(2, 'member03');
  const four = await world.login(2, 'member04');
  // a 2.0 client on node 3: never pushed timeline entries, its inbox gets copies
  old = await TestClient.connect(world.nodes[2]!.port);
  await old.hello(2, 0);
  await old.loginWithAppToken(world.appId, world.appToken, 'member05');
  await world.settled();
  const created = await owner.group({ case: 'create', value: { name: 'big', members: ['member01', 'member02', 'member03', 'member04', 'member05'] } });
  if (created.case !== 'group') throw new Error(`expected a group, got ${String(created.case)}`);
  const groupId = created.value.groupId;

  // bursts (coalesced into one run per interval) and single sends
  const sent: { seq: bigint; text: string }[] = [];
  let n = 0;
  for (let round = 0; round < 4; round++) {
    const burst = await Promise.all([0, 1, 2].map(() => ++n).map(async (i) => ({ seq: (await owner.text(groupId, `m${i}`, i)).seq, text: `m${i}` })));
    sent.push(...burst);
    n++;
    sent.push({ seq: (await owner.text(groupId, `m${n}`, n)).seq, text: `m${n}` });
  }
  const expected = [...sent].sort((a, b) => (a.seq < b.seq ? -1 : 1)).map((m) => m.text);

  const members = [one, two, three, four];
  await waitFor(() => members.every((member) => pushedTimeline(member, groupId).length >= expected.length), WAIT_MS, 'every member on every node to be pushed every message').catch((error: unknown) => {
    throw new Error(`${String(error)}: ${JSON.stringify(members.map((member) => pushedTimeline(member, groupId)))} of ${JSON.stringify(expected)}`);
  });
  const copies = () => old!.pushes.filter((frame) => frame.name === 'PUSH' && frame.body.groupId === '' && frame.body.item.case === 'message');
  await waitFor(() => copies().length >= expected.length, WAIT_MS, 'the 2.0 session to be pushed an inbox copy of every message');
  // anything still on its way would show now
  for (const member of members) await member.client.ping();
  await old.ping();
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const member of members) expect(pushedTimeline(member, groupId)).toEqual(expected);
  expect(copies().map((frame) => ((frame.body as pb.Entry).item.value as pb.Message).text)).toEqual(expected);
  expect(old.pushes.some((frame) => frame.name === 'PUSH' && frame.body.groupId === groupId)).toBe(false);
});
