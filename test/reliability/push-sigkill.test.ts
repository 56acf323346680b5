import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../protocol';
import { openServerDatabase } from '../support/test-database';
import { TestClient } from '../support/test-client';
import { startPushReceiver, type PushReceiver } from '../integration/push/push-receiver';
import { restClient, waitFor } from '../integration/rest/rest-fixture';
import { startServerProcess, type ServerProcess } from './support/server-process';

describe('a pending offline push and a server killed with SIGKILL', () => {
  let server: ServerProcess | undefined;
  let receiver: PushReceiver | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await server?.kill();
    await receiver?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('is still delivered, once, after the restart', { timeout: 60_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-push-sigkill-'));
    receiver = await startPushReceiver();
    // the push waits long enough for the kill to come first
    const launcher = { kind: 'tuned' as const, tuning: { pushDelayMs: 2_000 } };
    server = await startServerProcess({ dataDir, launcher });
    const { accountSid, authToken, appId, appToken } = server.credentials;
    const call = restClient(`http://127.0.0.1:${server.httpPort}`, accountSid, authToken);
    const push = await call('PUT', `/v1/accounts/{sid}/apps/${appId}/push`, { url: receiver.url });
    expect(push.status).toBe(200);

    const alice = await TestClient.connect(server.port);
    await alice.hello();
    await alice.loginWithAppToken(appId, appToken, 'alice');
    await alice.ask('SEND', { clientMsgId: new Uint8Array(16).fill(7), to: 'bob', type: pb.MessageType.TEXT, text: 'while you sleep' }, 'SENT');
    const db = openServerDatabase(dataDir);
    try {
      await waitFor(() => (db.prepare('SELECT COUNT(*) AS n FROM push_pending WHERE count > 0').get() as { n: number }).n === 1, 2_000, 'the push row');
    } finally {
      db.close();
    }
    await server.kill();
    await alice.close();
    expect(receiver.calls).toEqual([]);

    server = await startServerProcess({ dataDir, launcher, port: server.port });
    await waitFor(() => receiver!.calls.length > 0, 15_000, 'the push after the restart');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.calls).toHaveLength(1);
    expect(receiver.calls[0]!.body).toMatchObject({ recipient: 'bob', sender: 'alice', preview: 'while you sleep' });
    expect(receiver.verify(receiver.calls[0]!, push.json.secret as string)).toBe(true);
  });

  it("keeps a large group's @all pushes when the server dies the moment after its SENT", { timeout: 60_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-push-sigkill-'));
    receiver = await startPushReceiver();
    // a long commit window: the kill comes before it commits, so the restart runs the redo log (SQLite)
    const launcher = { kind: 'tuned' as const, tuning: { pushDelayMs: 2_000, groupTimelineThreshold: 3, commitWindowMs: 10_000 } };
    server = await startServerProcess({ dataDir, launcher });
    const { accountSid, authToken, appId, appToken } = server.credentials;
    const call = restClient(`http://127.0.0.1:${server.httpPort}`, accountSid, authToken);
    expect((await call('PUT', `/v1/accounts/{sid}/apps/${appId}/push`, { url: receiver.url })).status).toBe(200);

    const owner = await TestClient.connect(server.port);
    await owner.hello();
    await owner.loginWithAppToken(appId, appToken, 'owner');
    const created = await owner.ask('GROUP', { op: { case: 'create', value: { name: 'Big', members: ['m1', 'm2', 'm3'] } } }, 'GROUP_RESULT');
    const groupId = created.result.case === 'group' ? created.result.value.groupId : '';
    await owner.ask('SEND', { clientMsgId: new Uint8Array(16).fill(8), to: groupId, type: pb.MessageType.TEXT, text: 'all hands', mentionAll: true }, 'SENT');
    // killed at once: the pushes were queued in the SEND's own transaction, logged before SENT left
    await server.kill();
    await owner.close();
    expect(receiver.calls).toEqual([]);

    server = await startServerProcess({ dataDir, launcher, port: server.port });
    await waitFor(() => receiver!.calls.length >= 3, 15_000, 'the pushes after the restart');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.calls.map((c) => c.body.recipient).sort()).toEqual(['m1', 'm2', 'm3']);
    for (const c of receiver.calls) expect(c.body).toMatchObject({ mentionKind: 'all', body: '[@all] all hands', conversation: groupId });
  });
});
