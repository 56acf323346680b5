import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFrame, DEFAULT_WIRE_LIMITS, FrameType } from '../../../protocol';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startFrameTap, type FrameTap } from '../../support/frame-tap';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture } from './client-fixture';

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

  beforeEach(async () => {
    server = await startTestServer();
    let answers = 0;
    // the first GROUP_RESULT is lost with its connection: the server made the group before it
    tap = await startFrameTap(server.port, { loseDown: (frame) => (frame.type === FrameType.GROUP_RESULT && ++answers === 1 ? 'cut' : 'pass') });
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
});
