import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPushQueue } from '../../../server/push/push-queue';
import { pushBodyText } from '../../../server/push/push-service';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import type { SqlDatabase } from '../../../server/storage/sql-database';

describe('push mention kinds (migration 12)', () => {
  let dir: string;
  let db: SqlDatabase;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-push-mention-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000 });
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('keeps a push queued before the upgrade with a mention saying "[@you]", as it would have', () => {
    runMigrations(db, migrations.slice(0, 11));
    db.prepare(
      `INSERT INTO push_pending (app_id, user_id, count, max_seq, sender, sender_nickname, conversation, preview, mention, due_ms)
       VALUES ('app', 'bob', 1, 5, 'alice', 'Alice', 'g1', 'look', 1, 0), ('app', 'cat', 1, 6, 'alice', 'Alice', 'g1', 'hi', 0, 0)`,
    ).run();
    runMigrations(db, migrations);
    const [bob, cat] = createPushQueue(db).due(1, 10, 0).sort((a, b) => a.userId.localeCompare(b.userId));
    expect(bob).toMatchObject({ userId: 'bob', mention: 'you' });
    expect(pushBodyText(bob!)).toBe('[@you] look');
    expect(cat).toMatchObject({ userId: 'cat', mention: 'none' });
  });

  it('merges an @all and a personal mention into the personal one, in either order', () => {
    runMigrations(db, migrations);
    const queue = createPushQueue(db);
    const item = { appId: 'app', sender: 'alice', senderNickname: 'Alice', conversation: 'g1', preview: 'x' } as const;
    queue.enqueue([{ ...item, userId: 'bob', seq: 1, mention: 'all' }, { ...item, userId: 'bob', seq: 2, mention: 'you' }], 0, 0, 0);
    queue.enqueue([{ ...item, userId: 'cat', seq: 1, mention: 'you' }, { ...item, userId: 'cat', seq: 2, mention: 'all' }], 0, 0, 0);
    queue.enqueue([{ ...item, userId: 'dan', seq: 1, mention: 'none' }, { ...item, userId: 'dan', seq: 2, mention: 'all' }], 0, 0, 0);
    const byUser = new Map(queue.due(1, 10, 0).map((p) => [p.userId, p]));
    expect(byUser.get('bob')?.mention).toBe('you');
    expect(byUser.get('cat')?.mention).toBe('you');
    expect(pushBodyText(byUser.get('dan')!)).toBe('[@all] 2 new messages');
  });
});
