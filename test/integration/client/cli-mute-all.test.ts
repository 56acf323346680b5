import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/**
 * Mute all through the magpie CLI against a real server: the owner and admins turn it on and off
 * (a member may not), a member's send to the group fails with GROUP_MUTED_ALL (exit 1) while it is on,
 * and every member reads who turned it on and off. Small and large (read-diffused from 3 members
 * on) groups alike.
 */
describe('the magpie CLI and a group’s mute all', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer({ tuning: { groupTimelineThreshold: 3 } });
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-mute-all-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  const cases = [
    { size: 'small', members: ['bob01'] },
    { size: 'large', members: ['bob01', 'carol01', 'dan01'] },
  ];
  for (const { size, members } of cases) {
    it(`lets only the owner and admins speak while it is on, in a ${size} group`, { timeout: 90_000 }, async () => {
      const created = await magpie(as('alice01', 'group', 'create', '--name', `quiet ${size}`, '--members', members.join(',')));
      expect(created.code, created.stderr).toBe(0);
      const groupId = created.lines[0]!['groupId'] as string;
      expect(created.lines[0]).toMatchObject({ muteAll: false });
      // the first message makes a group of the threshold's size read-diffused
      expect((await magpie(as('bob01', 'send', '--group', groupId, '--text', 'before'))).code).toBe(0);

      const byMember = await magpie(as('bob01', 'group', 'mute-all', '--group', groupId, '--on'));
      expect(byMember.code).toBe(1);
      expect(JSON.parse(byMember.stderr)).toMatchObject({ code: ErrorCode.NOT_GROUP_ADMIN, name: 'NOT_GROUP_ADMIN' });

      const on = await magpie(as('alice01', 'group', 'mute-all', '--group', groupId, '--on'));
      expect(on.code, on.stderr).toBe(0);
      expect(on.lines).toEqual([expect.objectContaining({ groupId, muteAll: true })]);

      const muted = await magpie(as('bob01', 'send', '--group', groupId, '--text', 'may I?'));
      expect(muted.code).toBe(1);
      expect(muted.lines).toEqual([
        expect.objectContaining({ text: 'may I?', state: 'failed', code: ErrorCode.GROUP_MUTED_ALL, message: expect.stringContaining('all members') }),
      ]);
      expect((await magpie(as('alice01', 'send', '--group', groupId, '--text', 'owner speaks'))).code).toBe(0);

      const off = await magpie(as('alice01', 'group', 'mute-all', '--group', groupId, '--off'));
      expect(off.lines).toEqual([expect.objectContaining({ groupId, muteAll: false })]);
      expect((await magpie(as('bob01', 'send', '--group', groupId, '--text', 'after'))).code).toBe(0);

      // the failed send stays in bob's own store only: the owner's history has what the group said
      const history = await magpie(as('alice01', 'history', '--group', groupId));
      const said = history.lines
        .filter((line) => line['type'] !== 'notice' || line['notice'] === 'modify')
        .map((line) => (line['type'] === 'notice' ? [line['from'], line['changes']] : line['text']));
      expect(said).toEqual(['before', ['alice01', { muteAll: true }], 'owner speaks', ['alice01', { muteAll: false }], 'after']);
    });
  }
});
