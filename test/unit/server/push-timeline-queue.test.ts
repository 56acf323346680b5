import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPushQueue, type PushQueue } from '../../../server/push/push-queue';
import { pushBodyText, pushIdOf } from '../../../server/push/push-service';
import { INBOX_TIMELINE_COPIES_SQL, TIMELINE_UNREAD_SQL } from '../../../server/push/push-unread';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import type { SqlDatabase } from '../../../server/storage/sql-database';

/** A large group's @all in the push queue (migration 13): one statement for every offline member. */
describe("push queue: a large group's @all", () => {
  let dir: string;
  let db: SqlDatabase;
  let queue: PushQueue;
  const all = { appId: 'app', groupId: 'g1', sender: 'boss', senderNickname: 'Boss', preview: 'standup' } as const;
  const inboxItem = { appId: 'app', sender: 'ann', senderNickname: 'Ann', conversation: 'ann', preview: 'hi', mention: 'none' } as const;
  const due = () => new Map(queue.due(10_000, 5_000, 0).map((p) => [p.userId, p]));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-push-timeline-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000 });
    runMigrations(db, migrations);
    queue = createPushQueue(db);
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('queues one row per member, its max_seq the inbox seq the member confirmed, its timeline seq remembered', () => {
    db.prepare("INSERT INTO inbox_heads (app_id, user_id, max_seq, confirmed_seq) VALUES ('app', 'bob', 9, 7)").run();
    const userIds = Array.from({ length: 2000 }, (_, i) => `u${i}`).concat('bob');
    queue.enqueueTimeline({ ...all, userIds, timelineSeq: 41 }, 0, 0, 0);
    const rows = due();
    expect(rows.size).toBe(2001);
    expect(queue.depth()).toBe(2001);
    expect(rows.get('bob')).toMatchObject({ count: 1, maxSeq: 7, conversation: 'g1', mention: 'all', timeline: { groupId: 'g1', seq: 41 } });
    expect(rows.get('u0')).toMatchObject({ maxSeq: 0, timeline: { groupId: 'g1', seq: 41 } });
    expect(pushBodyText(rows.get('bob')!)).toBe('[@all] standup');
    expect(pushIdOf(rows.get('bob')!)).toBe('app:bob:7:g1:41');
  });

  it('merges with inbox messages both ways, keeping the inbox seq and the newest timeline seq', () => {
    queue.enqueue([{ ...inboxItem, userId: 'bob', seq: 5 }], 0, 0, 0);
    queue.enqueueTimeline({ ...all, userIds: ['bob'], timelineSeq: 3 }, 0, 0, 0);
    queue.enqueueTimeline({ ...all, userIds: ['bob'], timelineSeq: 4 }, 0, 0, 0);
    queue.enqueue([{ ...inboxItem, userId: 'bob', seq: 6 }], 0, 0, 0);
    expect(due().get('bob')).toMatchObject({ count: 4, maxSeq: 6, conversation: '', mention: 'all', timeline: { groupId: 'g1', seq: 4 } });
  });

  it('starts afresh after a push was sent: an inbox message forgets the timeline, an @all the old inbox seq', () => {
    queue.enqueueTimeline({ ...all, userIds: ['bob', 'cat'], timelineSeq: 3 }, 0, 0, 0);
    queue.enqueue([{ ...inboxItem, userId: 'cat', seq: 8 }], 0, 0, 0);
    const first = due();
    queue.sent(first.get('bob')!, 1, 0);
    queue.sent(first.get('cat')!, 1, 0);
    queue.enqueue([{ ...inboxItem, userId: 'bob', seq: 9 }], 2, 0, 0);
    queue.enqueueTimeline({ ...all, userIds: ['cat'], timelineSeq: 5 }, 2, 0, 0);
    const next = due();
    expect(next.get('bob')).toMatchObject({ count: 1, maxSeq: 9, mention: 'none', timeline: null });
    expect(next.get('cat')).toMatchObject({ count: 1, maxSeq: 0, mention: 'all', timeline: { groupId: 'g1', seq: 5 } });
  });

  it('keeps a row an @all merged into after the decision to drop it', () => {
    queue.enqueueTimeline({ ...all, userIds: ['bob'], timelineSeq: 3 }, 0, 0, 0);
    const taken = due().get('bob')!;
    queue.enqueueTimeline({ ...all, userIds: ['bob'], timelineSeq: 4 }, 0, 0, 0);
    queue.drop(taken);
    expect(due().get('bob')).toMatchObject({ count: 2, timeline: { seq: 4 } });
    queue.drop(due().get('bob')!);
    expect(due().get('bob')).toBeUndefined();
  });

  it('counts the unread of an @all push through primary keys only (once per offline member)', () => {
    const plan = (sql: string, params: unknown) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as never) as { detail: string }[]).map((row) => row.detail).join('\n');
    const timeline = plan(TIMELINE_UNREAD_SQL, { appId: 'a', userId: 'u', groupId: 'g', window: 1000 });
    expect(timeline).toMatch(/SEARCH e USING PRIMARY KEY \(app_id=\? AND group_id=\? AND seq>\?\)/);
    expect(timeline).toMatch(/SEARCH a .*USING PRIMARY KEY/);
    expect(timeline).not.toMatch(/\bSCAN\b/);
    const copies = plan(INBOX_TIMELINE_COPIES_SQL, ['a', 'u', 0, 'g']);
    expect(copies).toMatch(/SEARCH i USING PRIMARY KEY \(app_id=\? AND user_id=\? AND seq>\?\)/);
    expect(copies).not.toMatch(/\bSCAN\b/);
  });
});
