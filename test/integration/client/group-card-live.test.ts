import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import type { EventPayloads } from '../../../preload/api';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { DIFFUSION_MODES } from '../server/chat-fixture';
import { createClientFixture, eventually, type TestCore } from './client-fixture';

/**
 * A member's new alias reaches the other members online at once, in small and large groups: their
 * member list and bubbles name the member by it without reloading anything, and it is no line in
 * the chat. A client that does not know it (any transient entry it does not handle) drops it, and
 * nothing is added to anyone's inbox.
 */
describe.each(DIFFUSION_MODES)('a new group alias, %s', (_mode, groupTimelineThreshold) => {
  const fixture = createClientFixture();
  let server: TestServer;
  let carol: TestClient;
  let stopped = false;

  beforeAll(async () => {
    server = await startTestServer({ tuning: { groupTimelineThreshold } });
    carol = await TestClient.connect(server.port);
    await carol.hello();
    await carol.loginWithAppToken(server.appId, server.appToken, 'carol');
  });
  afterAll(async () => {
    await carol.close();
    await fixture.cleanup();
    if (!stopped) await server.stop();
  });

  const cards = (core: TestCore): Array<EventPayloads['group.memberCard']> =>
    core.events.filter((e) => e.event === 'group.memberCard').map((e) => e.payload as EventPayloads['group.memberCard']);
  const inboxOf = async (client: TestClient): Promise<pb.Entry[]> => (await client.ask('SYNC', { afterSeq: 0n, limit: 0 }, 'SYNC_PAGE')).entries;

  it('reaches the other members online without a line in the chat', { timeout: 30_000 }, async () => {
    const alice = await fixture.core(server, 'alice');
    const bob = await fixture.core(server, 'bob');
    const created = await alice.call('groups.create', { name: 'aliases', mode: 'private', members: ['bob', 'carol'] });
    if (!created.ok) throw new Error(created.error.message);
    const groupId = created.value.groupId;
    // bob's chat is open: its member list is loaded, alice without an alias
    await eventually(() => bob.upserted().some((m) => m.kind === 'notice' && m.conversation === groupId), 5_000, () => 'the group at bob');
    const listed = await bob.call('group.members', { groupId });
    expect(listed.ok && listed.value.members.find((m) => m.userId === 'alice')?.card).toBe('');
    const carolInbox = (await inboxOf(carol)).length;
    const bobLines = bob.upserted().length;

    expect(await alice.call('group.setCard', { groupId, card: 'Ali 🐦' })).toEqual({ ok: true, value: null });
    await eventually(() => cards(bob).length > 0, 5_000, () => 'the alias at bob');
    expect(cards(bob)).toEqual([{ groupId, userId: 'alice', card: 'Ali 🐦' }]);
    const push = await carol.waitFor((f) => f.name === 'PUSH' && f.body.item.case === 'notice' && f.body.item.value.kind === pb.NoticeKind.CARD);
    expect(push.name === 'PUSH' && push.body.seq).toBe(0n);
    expect(push.name === 'PUSH' && push.body.item.value).toMatchObject({ groupId, actor: 'alice', targets: ['alice'], text: 'Ali 🐦' });

    // the owner names another member; then an alias cleared
    expect(await alice.call('group.setCard', { groupId, user: 'carol', card: 'Caz' })).toEqual({ ok: true, value: null });
    expect(await alice.call('group.setCard', { groupId, card: '' })).toEqual({ ok: true, value: null });
    await eventually(() => cards(bob).length === 3, 5_000, () => 'three aliases at bob');
    expect(cards(bob).slice(1)).toEqual([{ groupId, userId: 'carol', card: 'Caz' }, { groupId, userId: 'alice', card: '' }]);
    // the same alias again tells no one anything
    expect(await alice.call('group.setCard', { groupId, user: 'carol', card: 'Caz' })).toEqual({ ok: true, value: null });

    for (const card of ['Caz', '']) {
      await carol.waitFor((f) => f.name === 'PUSH' && f.body.item.case === 'notice' && f.body.item.value.text === card);
    }
    expect(await inboxOf(carol)).toHaveLength(carolInbox);

    // bob's offline member list has them too, and no line came into the chat
    await server.stop({ keepData: true });
    stopped = true;
    const offline = await bob.call('group.members', { groupId });
    expect(offline.ok && Object.fromEntries(offline.value.members.map((m) => [m.userId, m.card]))).toEqual({ alice: '', bob: '', carol: 'Caz' });
    expect(bob.upserted().slice(bobLines)).toEqual([]);
    expect(cards(bob)).toHaveLength(3);
  });
});
