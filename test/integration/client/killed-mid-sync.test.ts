import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import { startCutProxy, type CutProxy } from '../../support/cut-proxy';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';
import { runSource } from '../../support/run-source';

const CHILD = join(import.meta.dirname, '../../support/sync-child.ts');
const BACKLOG = 1_000;

describe('a client process killed mid-sync', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let proxy: CutProxy | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await proxy?.close();
    await server?.stop();
  });

  it('resumes on the same profile and ends with every message exactly once', { timeout: 90_000 }, async () => {
    server = await startTestServer({ tuning: { requestsPerSecond: 100_000, requestBurst: 100_000 } });
    const alice = await fixture.client(server, 'alice');
    await alice.start();
    const chat = createChatService(alice);
    for (let i = 0; i < BACKLOG; i++) await chat.send('bob', { kind: 'text', text: `backlog ${i}` });
    await eventually(() => alice.store.outbox.pending(1).length === 0, 30_000, () => `${alice.store.outbox.pending().length} unsent`);

    // the child syncs through a slow path, 25 entries a page, so there is time to kill it part-way
    proxy = await startCutProxy({ port: server.port });
    proxy.setDelay(5);
    const profileDir = await fixture.profile();
    const args = { port: proxy.port, appId: server.appId, appToken: server.appToken, user: 'bob', profileDir, pageEntries: 25 };
    const child = spawn(process.execPath, [...runSource(CHILD), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let killedAt = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      const progress = JSON.parse(line) as { appliedSeq?: number; done?: boolean };
      expect(progress.done).not.toBe(true);
      if ((progress.appliedSeq ?? 0) >= 150) {
        killedAt = progress.appliedSeq!;
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    const bob = await fixture.client(server, 'bob', { profileDir });
    const resumedFrom = bob.store.syncState.get().appliedSeq;
    const countStored = (): number => (bob.store.db.prepare(`SELECT count(*) AS n FROM messages`).get() as { n: number }).n;
    // what the killed process committed is there, and nothing beyond what it claims to have applied
    expect(resumedFrom).toBeGreaterThanOrEqual(killedAt);
    expect(resumedFrom).toBeLessThan(BACKLOG);
    expect(countStored()).toBe(resumedFrom);

    let done = false;
    bob.events.on('progress', (p) => (done ||= p.done));
    await bob.start();
    await eventually(() => done && countStored() === BACKLOG, 20_000, () => `${countStored()} stored`);
    await bob.syncIdle();

    const rows = bob.store.db.prepare(`SELECT text, seq, msg_id FROM messages ORDER BY seq`).all() as { text: string; seq: number; msg_id: number }[];
    expect(rows).toHaveLength(BACKLOG);
    expect(new Set(rows.map((r) => r.msg_id)).size).toBe(BACKLOG);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: BACKLOG }, (_, i) => i + 1));
    expect(rows.map((r) => r.text)).toEqual(Array.from({ length: BACKLOG }, (_, i) => `backlog ${i}`));
  });
});
