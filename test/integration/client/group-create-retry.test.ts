import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { createGroupService } from '../../../main/groups/group-service';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture } from './client-fixture';

/** Long enough that the create's answer is still in the proxy when the connection is cut. */
const PROXY_DELAY_MS = 1_500;
// the heartbeat and request timeouts outlast the proxy's delay: only the cut ends the link
const SLOW_LINK = { minHeartbeatMs: 30_000, maxHeartbeatMs: 30_000, heartbeatTimeoutMs: 10_000, requestTimeoutMs: 10_000 };

/**
 * The client core's group create when the answer is lost: the server made the group, the
 * connection went before the answer came. The core asks again with the same request id once it is
 * back online, and a second press of Create after a failed one carries it too: one group.
 */
describe('a group create whose answer the connection lost', () => {
  const fixture = createClientFixture();
  let server: TestServer;
  let proxy: CutProxy;
  let member: TestClient;

  beforeEach(async () => {
    server = await startTestServer();
    proxy = await startCutProxy({ port: server.port });
    member = await TestClient.connect(server.port);
    await member.hello();
    await member.loginWithAppToken(server.appId, server.appToken, 'bob');
  });
  afterEach(async () => {
    await member.close();
    await fixture.cleanup();
    await proxy.close();
    await server.stop();
  });

  /** The group the server made, as its CREATE notice to the member says. */
  async function createdNotice(): Promise<pb.Notice> {
    const push = await member.waitForPush('PUSH', 10_000);
    if (push.item.case !== 'notice' || push.item.value.kind !== pb.NoticeKind.CREATE) throw new Error(`expected a CREATE notice, got ${String(push.item.case)}`);
    return push.item.value;
  }

  const groupsOnServer = (): string[] =>
    server.server.db.prepare<[string], string>('SELECT group_id FROM groups WHERE app_id = ?').pluck().all(server.appId);

  async function aliceThroughProxy(tuning: object = {}) {
    const client = await fixture.client(server, 'alice', { servers: [proxy.address], tuning: { ...SLOW_LINK, ...tuning } });
    await client.start();
    return { client, groups: createGroupService(client) };
  }

  const settings = { name: 'Night shift', mode: 'private' as const, members: ['bob'] };

  it('goes again after the reconnect and answers the group the server made: one group, one created notice', { timeout: 30_000 }, async () => {
    const alice = await aliceThroughProxy();
    proxy.setDelay(PROXY_DELAY_MS);
    const creating = alice.groups.create(settings);
    const told = await createdNotice();
    expect(proxy.cutAll()).toBe(1);
    proxy.setDelay(0);

    const group = await creating;
    expect(group).toMatchObject({ groupId: told.groupId, name: 'Night shift', memberCount: 2 });
    expect(proxy.accepted).toBe(2);
    expect(groupsOnServer()).toEqual([told.groupId]);
    expect(alice.client.store.groups.listMine().map((g) => g.groupId)).toEqual([told.groupId]);
    // the retry committed before its answer: a second notice would be in bob's inbox now
    const inbox = await member.ask('SYNC', { afterSeq: 0n, limit: 100 }, 'SYNC_PAGE');
    expect(inbox.entries.filter((e) => e.item.case === 'notice' && e.item.value.kind === pb.NoticeKind.CREATE)).toHaveLength(1);
  });

  it('fails when the server stays out of reach past its retries, and Create pressed again answers the group the first made', { timeout: 30_000 }, async () => {
    const alice = await aliceThroughProxy({ groupCreateRetryMs: 1_000 });
    proxy.setDelay(PROXY_DELAY_MS);
    const creating = alice.groups.create(settings);
    const told = await createdNotice();
    proxy.setRefusing(true);
    proxy.cutAll();
    proxy.setDelay(0);
    await expect(creating).rejects.toMatchObject({ code: ErrorCode.CONNECTION_CLOSED });

    proxy.setRefusing(false);
    expect(await alice.client.whenOnline(10_000)).toBe(true);
    const again = await alice.groups.create(settings);
    expect(again.groupId).toBe(told.groupId);
    expect(groupsOnServer()).toEqual([told.groupId]);

    // answered: the same settings asked once more are a new group
    const another = await alice.groups.create(settings);
    expect(another.groupId).not.toBe(told.groupId);
    expect(groupsOnServer()).toHaveLength(2);
  });

  it('pressed while already offline, fails at once with NOT_CONNECTED: nothing went out, nothing to wait for', { timeout: 30_000 }, async () => {
    const alice = await aliceThroughProxy();
    proxy.setRefusing(true);
    proxy.cutAll();
    await expect.poll(() => alice.client.status.state, { timeout: 10_000 }).not.toBe('online');
    const started = Date.now();
    await expect(alice.groups.create(settings)).rejects.toMatchObject({ code: ErrorCode.NOT_CONNECTED });
    // at once, not after groupCreateRetryMs (60 s)
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(groupsOnServer()).toEqual([]);
  });
});
