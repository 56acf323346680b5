import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFrame, DEFAULT_WIRE_LIMITS, FrameType } from '../../../protocol';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startFrameTap, type FrameTap } from '../../support/frame-tap';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * The CLI's `group create` and the desktop core's `groups.create` (what the page's Create calls)
 * when the server's answer to the create is lost with the connection: each goes again with the
 * same request id after the reconnect, and answers the one group the server made.
 */
describe('a group create whose answer is lost, from the CLI and from the desktop core', () => {
  const fixture = createClientFixture();
  let server: TestServer;
  let tap: FrameTap;
  let root: string;

  /** While set, every GROUP_RESULT is lost on its way (the connection stays): no answer comes. */
  let holdingAnswers = false;

  beforeEach(async () => {
    server = await startTestServer();
    let answers = 0;
    holdingAnswers = false;
    // the first GROUP_RESULT is lost with its connection: the server made the group before it
    tap = await startFrameTap(server.port, {
      loseDown: (frame) => {
        if (frame.type !== FrameType.GROUP_RESULT) return 'pass';
        if (holdingAnswers) return 'drop';
        return ++answers === 1 ? 'cut' : 'pass';
      },
    });
    root = await mkdtemp(join(tmpdir(), 'magpie-group-create-'));
  });
  afterEach(async () => {
    await fixture.cleanup();
    await tap.close();
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  const groupsOnServer = (): string[] =>
    server.server.db.prepare<[string], string>('SELECT group_id FROM groups WHERE app_id = ?').pluck().all(server.appId);

  /** The request ids of the GROUP creates that went up, as the tap saw them. */
  function createRequestIds(): string[] {
    return tap.frames
      .filter((f) => f.direction === 'up' && f.name === 'GROUP')
      .map((f) => decodeFrame(f.frame, DEFAULT_WIRE_LIMITS))
      .flatMap((d) => (d.name === 'GROUP' && d.body.op.case === 'create' ? [Buffer.from(d.body.op.value.requestId).toString('hex')] : []));
  }

  it('magpie group create prints the one group it made', { timeout: 60_000 }, async () => {
    const run = await magpie([...cliLoginArgs({ ...server, port: tap.port }, root, 'owen'), 'group', 'create', '--name', 'crew', '--members', 'mia']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(groupsOnServer()).toEqual([run.lines[0]!['groupId']]);
    const ids = createRequestIds();
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it('the desktop core\'s groups.create answers the one group it made', { timeout: 30_000 }, async () => {
    const ann = await fixture.core({ ...server, port: tap.port }, 'ann');
    const created = await ann.call('groups.create', { name: 'crew', mode: 'private', members: ['ben'] });
    if (!created.ok) throw new Error(created.error.message);
    expect(groupsOnServer()).toEqual([created.value.groupId]);
    const ids = createRequestIds();
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
  });

  it('a create asked again after the app restarted between the send and the answer carries the same id: one group', { timeout: 30_000 }, async () => {
    const settings = { name: 'crew', mode: 'private' as const, members: ['ben'] };
    const profileDir = await fixture.profile();
    // the first GROUP_RESULT never comes (the first one is cut otherwise: that frame is the second)
    holdingAnswers = true;
    const first = await fixture.core({ ...server, port: tap.port }, 'ann', { profileDir });
    const creating = first.call('groups.create', settings);
    await eventually(() => groupsOnServer().length === 1, 10_000, () => 'the server to make the group');
    const [made] = groupsOnServer();
    // the app ends (a crash, a quit) before the answer: the create's outcome is unknown to it
    await first.core.shutdown();
    expect((await creating).ok).toBe(false);

    // the app again, on the same profile: Create pressed again with the same settings
    holdingAnswers = false;
    const again = await fixture.core({ ...server, port: tap.port }, 'ann', { profileDir });
    const created = await again.call('groups.create', settings);
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value.groupId).toBe(made);
    expect(groupsOnServer()).toEqual([made]);
    // the first run may have asked again itself before it ended (its answer timed out): one id throughout
    const ids = createRequestIds();
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(1);

    // answered, it is forgotten: the same settings created once more are a new group
    const another = await again.call('groups.create', settings);
    expect(another.ok && another.value.groupId).not.toBe(made);
    expect(groupsOnServer()).toHaveLength(2);
  });
});
