import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, MAX_TIMELINE_CONFIRM_CURSORS, pb } from '../../../protocol';
import type { Caller } from '../../../server/handler-types';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import { createTimelineHandlers } from '../../../server/timeline/timeline-handlers';
import { createTimelineStore, type TimelineStore } from '../../../server/timeline/timeline-store';

/** TIMELINE_CONFIRM on a real SQLite file: bounded, one group once at its highest seq, one commit. */
let dir: string;
let db: SqlDatabase;
let store: TimelineStore;
const APP = 'app1';
const G = 'g0000000000000001';
const ann: Caller = { sessionId: 's1', appId: APP, userId: 'ann', device: pb.DeviceKind.DESKTOP, deviceId: 'd1', protocolMinor: 1 };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magpie-tlconfirm-'));
  db = openDatabase(dir, { busyTimeoutMs: 1000 });
  runMigrations(db, migrations);
  store = createTimelineStore(db);
  db.prepare(`INSERT INTO groups (app_id, group_id, name, owner, type, mode, capacity, member_count, created_ms) VALUES (?, ?, 'g', 'owner', 4, 0, 2000, 0, 0)`).run(APP, G);
  for (const user of ['owner', 'ann', 'ben']) {
    db.prepare(`INSERT INTO group_members (app_id, group_id, user_id, role, joined_ms) VALUES (?, ?, ?, 1, 0)`).run(APP, G, user);
  }
  store.ensure(APP, G, 3, 3, 0);
  db.transaction(() => {
    for (let msgId = 1; msgId <= 10; msgId++) {
      db.prepare(`INSERT INTO messages (msg_id, app_id, sender, target, is_group, type, content, client_msg_id, time_ms, sender_seq, burn) VALUES (?, ?, 'owner', ?, 1, 1, x'', ?, 0, 1, 0)`).run(msgId, APP, G, Buffer.from(String(msgId)));
      store.appendMessage(APP, G, msgId);
    }
  })();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

const confirmBody = (seqs: number[]) => create(pb.TimelineConfirmSchema, { cursors: seqs.map((seq) => ({ groupId: G, seq: BigInt(seq) })) });

describe('TIMELINE_CONFIRM', () => {
  it('refuses more cursors than the cap with BAD_BODY, and stores nothing of them', () => {
    const handlers = createTimelineHandlers(db, store, 512);
    const body = confirmBody(Array.from({ length: MAX_TIMELINE_CONFIRM_CURSORS + 1 }, () => 5));
    expect(() => handlers.TIMELINE_CONFIRM({ caller: ann, body, requestId: 1 })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_BODY }));
    expect(store.confirmed(APP, 'ann', G)).toBe(0);
  });

  it('takes a group named many times once, at its highest seq, in one transaction', () => {
    const calls: { groupId: string; seq: number; inTransaction: boolean }[] = [];
    const watched: TimelineStore = {
      ...store,
      confirm: (appId, userId, groupId, seq) => {
        calls.push({ groupId, seq, inTransaction: db.inTransaction });
        store.confirm(appId, userId, groupId, seq);
      },
    };
    const handlers = createTimelineHandlers(db, watched, 512);
    const seqs = Array.from({ length: MAX_TIMELINE_CONFIRM_CURSORS }, (_, i) => (i === 100 ? 7 : i % 5));
    expect(handlers.TIMELINE_CONFIRM({ caller: ann, body: confirmBody(seqs), requestId: 1 })).toBeDefined();
    expect(calls).toEqual([{ groupId: G, seq: 7, inTransaction: true }]);
    expect(store.confirmed(APP, 'ann', G)).toBe(7);
  });
});
