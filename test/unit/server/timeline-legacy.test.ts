import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import { createInboxStore, type InboxStore } from '../../../server/sync/inbox';
import { copyTimelinesForMembers, copyTimelinesToInbox } from '../../../server/timeline/timeline-legacy';
import { createTimelineStore, type TimelineStore } from '../../../server/timeline/timeline-store';

/** The copies into 2.0 clients' inboxes on a real SQLite file: bounded per call, one failure isolated. */
let dir: string;
let db: SqlDatabase;
let store: TimelineStore;
let inbox: InboxStore;
const APP = 'app1';
const G = 'g0000000000000001';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magpie-tllegacy-'));
  db = openDatabase(dir, { busyTimeoutMs: 1000 });
  runMigrations(db, migrations);
  store = createTimelineStore(db);
  inbox = createInboxStore(db);
  db.prepare(`INSERT INTO groups (app_id, group_id, name, owner, type, mode, capacity, member_count, created_ms) VALUES (?, ?, 'g', 'owner', 4, 0, 2000, 0, 0)`).run(APP, G);
  for (const user of ['owner', 'ann', 'ben', 'cat']) {
    db.prepare(`INSERT INTO group_members (app_id, group_id, user_id, role, joined_ms) VALUES (?, ?, ?, 1, 0)`).run(APP, G, user);
  }
  store.ensure(APP, G, 4, 3, 0);
  db.transaction(() => {
    for (let msgId = 1; msgId <= 5; msgId++) {
      db.prepare(`INSERT INTO messages (msg_id, app_id, sender, target, is_group, type, content, client_msg_id, time_ms, sender_seq, burn) VALUES (?, ?, 'owner', ?, 1, 1, x'', ?, 0, 1, 0)`).run(msgId, APP, G, Buffer.from(String(msgId)));
      store.appendMessage(APP, G, msgId);
    }
  })();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

const inboxSize = (user: string) => inbox.head(APP, user).maxSeq;

describe('timeline copies for 2.0 clients', () => {
  it('reads at most the bound per call and goes on from the stored cursor', () => {
    const first = copyTimelinesToInbox(db, store, inbox, APP, 'ann', 2);
    expect(first).toMatchObject({ done: false });
    expect(first.appended).toHaveLength(2);
    expect(copyTimelinesToInbox(db, store, inbox, APP, 'ann', 2).done).toBe(false);
    expect(copyTimelinesToInbox(db, store, inbox, APP, 'ann', 2).done).toBe(true);
    expect(inboxSize('ann')).toBe(5);
    expect(copyTimelinesToInbox(db, store, inbox, APP, 'ann', 2)).toEqual({ appended: [], done: true });
  });

  it('a member whose copy fails is reported and skipped; the others get theirs, in one transaction', () => {
    // a second connection sees nothing of the copies before their one commit
    const other = openDatabase(dir, { busyTimeoutMs: 1000 });
    const committedRows = () => other.prepare<[], number>('SELECT COUNT(*) FROM inbox').pluck().get()!;
    const before = committedRows();
    const seenByOther: number[] = [];
    const failing: TimelineStore = {
      ...store,
      copiedCursors: (appId, userId) => {
        seenByOther.push(committedRows() - before);
        if (userId === 'ben') throw new Error('disk on fire');
        return store.copiedCursors(appId, userId);
      },
    };
    const errors: (string | undefined)[] = [];
    let appended: unknown[] = [];
    const copy = () => {
      appended = copyTimelinesForMembers(db, failing, inbox, APP, ['ann', 'ben', 'cat'], 1000, (_error, userId) => errors.push(userId));
    };
    expect(copy).not.toThrow();
    expect(errors).toEqual(['ben']);
    expect(appended).toHaveLength(10);
    // at cat's copy, ann's five rows were written but not yet committed
    expect(seenByOther).toEqual([0, 0, 0]);
    expect(committedRows() - before).toBe(10);
    other.close();
    expect([inboxSize('ann'), inboxSize('ben'), inboxSize('cat')]).toEqual([5, 0, 5]);
  });
});
