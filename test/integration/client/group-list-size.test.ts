import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture } from './client-fixture';

/**
 * Group lists are answered within one frame a client accepts, however long the groups' names and
 * announcements: another user who puts someone in many groups of the longest Chinese names and
 * announcements (about 3.3 KB each) must not make that user's group list, or a search, unreadable
 * (a GROUP_RESULT over the client's 256 KiB frame ends its connection).
 */
describe('group lists of long groups', () => {
  const fixture = createClientFixture();
  let server: TestServer;
  let spammer: TestClient;
  const GROUPS = 200;

  // varied Chinese text, which compression does not shrink much (a repeated one it would)
  const cjk = (n: number) => Array.from({ length: n }, () => String.fromCodePoint(0x4e00 + randomInt(20000))).join('');

  beforeAll(async () => {
    server = await startTestServer({ tuning: { requestsPerSecond: 100_000, requestBurst: 100_000 } });
    spammer = await TestClient.connect(server.port);
    await spammer.hello();
    await spammer.loginWithAppToken(server.appId, server.appToken, 'spammer');
    for (let i = 0; i < GROUPS; i++) {
      // every name holds the keyword, so one search finds them all
      const name = `spam ${cjk(58)}`;
      await spammer.ask('GROUP', { op: { case: 'create', value: { name, announcement: cjk(1024), type: pb.GroupType.SENIOR, members: ['victim'] } } }, 'GROUP_RESULT');
    }
  }, 120_000);
  afterAll(async () => {
    await spammer.close();
    await fixture.cleanup();
    await server.stop();
  });

  it('my groups: every one of them, in answers that fit a frame', { timeout: 60_000 }, async () => {
    const victim = await fixture.core(server, 'victim');
    const mine = await victim.call('groups.mine', {});
    if (!mine.ok) throw new Error(`${mine.error.code}: ${mine.error.message}`);
    // from the server, not the store's copy after a dropped connection
    expect(victim.events.filter((e) => e.event === 'connection.state').map((e) => (e.payload as { state: string }).state)).not.toContain('reconnecting');
    expect(mine.value).toHaveLength(GROUPS);
    expect(mine.value.every((g) => g.announcement.length === 1024)).toBe(true);
  });

  it('a search of the longest page: as many as fit, and the next page from there', { timeout: 60_000 }, async () => {
    const victim = await fixture.core(server, 'victim');
    const found: string[] = [];
    for (let offset = 0; found.length < GROUPS; ) {
      const page = await victim.call('groups.search', { keyword: 'spam', offset, limit: 100 });
      if (!page.ok) throw new Error(`${page.error.code}: ${page.error.message}`);
      expect(page.value.length).toBeLessThan(100);
      expect(page.value.length).toBeGreaterThan(0);
      found.push(...page.value.map((g) => g.groupId));
      offset += page.value.length;
    }
    expect(new Set(found).size).toBe(GROUPS);
  });
});
