import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { magpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('magpie group card: my alias in a group', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string): string[] => [
    '--server', `127.0.0.1:${server.port}`, '--app', server.appId, '--token', server.appToken, '--user', user, '--profile', join(root, user),
  ];
  const cardsOf = async (user: string, groupId: string): Promise<Record<string, unknown>> => {
    const run = await magpie([...as(user), 'group', 'members', '--group', groupId]);
    expect(run.code).toBe(0);
    return Object.fromEntries(run.lines.map((m) => [m['userId'], m['card']]));
  };

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-card-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('sets, shows and clears a member\'s own alias; a plain member may not set another\'s, the owner may', { timeout: 90_000 }, async () => {
    const created = await magpie([...as('owen'), 'group', 'create', '--name', 'aliases', '--members', 'mia,ned']);
    expect(created.code).toBe(0);
    const groupId = created.lines[0]!['groupId'] as string;

    const set = await magpie([...as('mia'), 'group', 'card', '--group', groupId, '--card', ' 小米 🐦 ']);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.lines).toEqual([{ ok: true, op: 'card', groupId, user: 'mia', card: '小米 🐦' }]);
    expect(await cardsOf('ned', groupId)).toMatchObject({ mia: '小米 🐦', ned: '', owen: '' });

    // 64 emoji are 64 characters to the server; 65 are refused before connecting, as a usage error
    const full = await magpie([...as('mia'), 'group', 'card', '--group', groupId, '--card', '🐦'.repeat(64)]);
    expect(full.code).toBe(0);
    const over = await magpie([...as('mia'), 'group', 'card', '--group', groupId, '--card', '🐦'.repeat(65)]);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain('--card has 65 characters: at most 64');
    const escaped = await magpie([...as('mia'), 'group', 'card', '--group', groupId, '--card', 'red\u001b[31m']);
    expect(escaped.code).toBe(2);
    expect(escaped.stderr).toContain('control characters');
    const neither = await magpie([...as('mia'), 'group', 'card', '--group', groupId]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give either --card ALIAS or --clear');
    expect(await cardsOf('owen', groupId)).toMatchObject({ mia: '🐦'.repeat(64) });

    // another member's alias is for the owner and admins
    const meddling = await magpie([...as('ned'), 'group', 'card', '--group', groupId, '--member', 'mia', '--card', 'nope']);
    expect(meddling.code).toBe(1);
    expect(JSON.parse(meddling.stderr.trim())).toMatchObject({ code: ErrorCode.NOT_GROUP_ADMIN });
    const byOwner = await magpie([...as('owen'), 'group', 'card', '--group', groupId, '--member', 'ned', '--card', 'Ned (ops)']);
    expect(byOwner.lines).toEqual([{ ok: true, op: 'card', groupId, user: 'ned', card: 'Ned (ops)' }]);

    const cleared = await magpie([...as('mia'), 'group', 'card', '--group', groupId, '--clear']);
    expect(cleared.lines).toEqual([{ ok: true, op: 'card', groupId, user: 'mia', card: '' }]);
    expect(await cardsOf('owen', groupId)).toMatchObject({ mia: '', ned: 'Ned (ops)' });

    const help = await magpie(['group', '--help']);
    expect(help.stdout).toContain('group card --group G --card ALIAS [--member U]');
  });
});
