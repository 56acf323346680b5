import { afterEach, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import type { Session } from '../server/chat-fixture';
import { openClusterWorld, waitFor, type ClusterWorld } from './cluster-fixture';

/**
 * A busy large group's pushes wait up to largeGroupPushIntervalMs on the node that stored the
 * messages (coalesced); a change of the group (a kick, a rename) and an @mention must still reach
 * every online member after the messages sent before them, whichever nodes the senders, the one
 * who changes the group and the members are on (docs/server.md, "Large groups" and "Routing").
 * On one node: test/integration/server/group-timeline.test.ts.
 */
let world: ClusterWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const WAIT_MS = 15_000;

/** Read diffusion from 3 members; a long interval, so the second message of a spell surely waits. */
async function open(): Promise<ClusterWorld> {
  world = await openClusterWorld(3, { groupTimelineThreshold: 3, largeGroupPushIntervalMs: 2_000 });
  return world;
}

async function createGroup(owner: Session, members: string[]): Promise<string> {
  const created = await owner.group({ case: 'create', value: { name: 'big', mode: pb.GroupMode.PUBLIC, members } });
  if (created.case !== 'group') throw new Error(`expected a group, got ${String(created.case)}`);
  return created.value.groupId;
}

/** What a session was pushed of the group, in arrival order: message texts and notice kinds (once each). */
function pushed(session: Session, groupId: string): string[] {
  const seen: string[] = [];
  for (const frame of session.client.pushes) {
    if (frame.name !== 'PUSH') continue;
    const item = frame.body.item;
    let label: string | undefined;
    if (item.case === 'message' && item.value.to === groupId) label = item.value.text;
    // the group's creation came before all this
    if (item.case === 'notice' && item.value.groupId === groupId && item.value.kind !== pb.NoticeKind.CREATE) label = `notice ${pb.NoticeKind[item.value.kind]}`;
    if (label !== undefined && !seen.includes(label)) seen.push(label);
  }
  return seen;
}

async function expectPushed(members: Session[], groupId: string, expected: string[]): Promise<void> {
  await waitFor(() => members.every((m) => expected.every((label) => pushed(m, groupId).includes(label))), WAIT_MS, 'every member to be pushed everything').catch((error: unknown) => {
    throw new Error(`${String(error)}: ${JSON.stringify(members.map((m) => [m.userId, pushed(m, groupId)]))}`);
  });
  for (const member of members) expect([member.userId, pushed(member, groupId)]).toEqual([member.userId, expected]);
}

it('a kick and a rename made on the messages\' node reach members on the other nodes after the messages sent before them', { timeout: 90_000 }, async () => {
  const w = await open();
  const owner = await w.login(0, 'owner01');
  const ann = await w.login(1, 'ann01');
  const ben = await w.login(2, 'ben01');
  const local = await w.login(0, 'dan01');
  await w.settled();
  const groupId = await createGroup(owner, ['ann01', 'ben01', 'carl01', 'dan01']);
  await owner.text(groupId, 't1', 1);
  await owner.text(groupId, 't2', 2);
  await owner.group({ case: 'kick', value: { groupId, users: ['carl01'] } });
  await owner.text(groupId, 't3', 3);
  await owner.group({ case: 'modify', value: { groupId, name: 'bigger' } });
  await expectPushed([ann, ben, local], groupId, ['t1', 't2', 'notice KICK', 't3', 'notice MODIFY']);
});

it('a kick and a rename made on another node than the messages\' sender reach every member after the messages sent before them', { timeout: 90_000 }, async () => {
  const w = await open();
  const owner = await w.login(1, 'owner01');
  const ben = await w.login(0, 'ben01');
  const onSenders = await w.login(0, 'dan01');
  const onOwners = await w.login(1, 'eve01');
  const ann = await w.login(2, 'ann01');
  await w.settled();
  const groupId = await createGroup(owner, ['ann01', 'ben01', 'carl01', 'dan01', 'eve01']);
  // ben's messages wait on node 1, the owner's changes are made on node 2
  await ben.text(groupId, 't1', 1);
  await ben.text(groupId, 't2', 2);
  await owner.group({ case: 'kick', value: { groupId, users: ['carl01'] } });
  await ben.text(groupId, 't3', 3);
  await ben.text(groupId, 't4', 4);
  await owner.group({ case: 'modify', value: { groupId, name: 'bigger' } });
  await expectPushed([ann, onSenders, onOwners], groupId, ['t1', 't2', 'notice KICK', 't3', 't4', 'notice MODIFY']);
});

it('an @mention sent on another node than the messages before it reaches the mentioned member after them', { timeout: 90_000 }, async () => {
  const w = await open();
  const owner = await w.login(0, 'owner01');
  const ben = await w.login(0, 'ben01');
  const dan = await w.login(1, 'dan01');
  const ann = await w.login(2, 'ann01');
  const eve = await w.login(1, 'eve01');
  await w.settled();
  const groupId = await createGroup(owner, ['ann01', 'ben01', 'dan01', 'eve01']);
  await ben.text(groupId, 't1', 1);
  await ben.text(groupId, 't2', 2);
  await dan.text(groupId, 't3 @ann @eve', 1, { mentions: ['ann01', 'eve01'] });
  await expectPushed([ann, eve], groupId, ['t1', 't2', 't3 @ann @eve']);
});
