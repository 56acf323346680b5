import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { pb } from '../../../protocol';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import { createTimelineStore, RESEND_TIMELINE_SEARCH_ENTRIES, type TimelineStore } from '../../../server/timeline/timeline-store';

/** The timeline store on a real SQLite file: ranges from the membership triggers, pages, confirms. */
let dir: string;
let db: SqlDatabase;
let store: TimelineStore;
const APP = 'app1';
const G = 'g0000000000000001';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magpie-timeline-'));
  db = openDatabase(dir, { busyTimeoutMs: 1000 });
  runMigrations(db, migrations);
  store = createTimelineStore(db);
  db.prepare(`INSERT INTO groups (app_id, group_id, name, owner, type, mode, capacity, member_count, created_ms) VALUES (?, ?, 'g', 'owner', 4, 0, 2000, 0, 0)`).run(APP, G);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

const join_ = (user: string) => db.prepare(`INSERT INTO group_members (app_id, group_id, user_id, role, joined_ms) VALUES (?, ?, ?, 1, 0)`).run(APP, G, user);
const leave = (user: string) => db.prepare('DELETE FROM group_members WHERE app_id = ? AND group_id = ? AND user_id = ?').run(APP, G, user);
let msgId = 1000;
const say = (): number =>
  db.transaction(() => {
    msgId += 1;
    db.prepare(`INSERT INTO messages (msg_id, app_id, sender, target, is_group, type, content, client_msg_id, time_ms, sender_seq, burn) VALUES (?, ?, 'owner', ?, 1, 1, x'', ?, 0, 1, 0)`).run(msgId, APP, G, Buffer.from(String(msgId)));
    return store.appendMessage(APP, G, msgId);
  })();
const seqsOf = (user: string, after = 0, limit = 200) =>
  store.page(APP, user, new Map([[G, after]]), limit, 1_000_000).slices.flatMap((s) => s.entries.map((e) => Number(e.seq)));

describe('group timeline store', () => {
  it('starts at the threshold only, and then every member of that moment reads from seq 1', () => {
    join_('owner');
    join_('ann');
    expect(store.ensure(APP, G, 2, 3, 0)).toBe(false);
    expect(store.has(APP, G)).toBe(false);
    join_('ben');
    expect(store.ensure(APP, G, 3, 3, 0)).toBe(true);
    // once read-diffused, whatever the count
    expect(store.ensure(APP, G, 1, 3, 0)).toBe(true);
    say();
    say();
    expect(seqsOf('ann')).toEqual([1, 2]);
    expect(seqsOf('ben')).toEqual([1, 2]);
  });

  it('keeps each member to its ranges: from the join, up to the leave, again after a return', () => {
    join_('owner');
    store.ensure(APP, G, 1, 1, 0);
    say(); // 1
    join_('cat');
    say(); // 2
    say(); // 3
    leave('cat');
    say(); // 4
    join_('cat');
    say(); // 5
    expect(seqsOf('cat')).toEqual([2, 3, 5]);
    expect(seqsOf('cat', 3)).toEqual([5]);
    expect(seqsOf('stranger')).toEqual([]);
    // a page with room for 2 stops in the first range, says more, and goes on after its last seq
    const first = store.page(APP, 'cat', new Map(), 2, 1_000_000);
    expect(first.more).toBe(true);
    expect(first.slices[0]).toMatchObject({ more: true, maxSeq: 5 });
    expect(first.slices[0]!.entries.map((e) => Number(e.seq))).toEqual([2, 3]);
    const second = store.page(APP, 'cat', new Map([[G, 3]]), 2, 1_000_000);
    expect(second.more).toBe(false);
    expect(second.slices[0]!.entries.map((e) => Number(e.seq))).toEqual([5]);
  });

  it('a member who left reads nothing said after, and a confirm never passes what it may read', () => {
    join_('owner');
    join_('dan');
    store.ensure(APP, G, 2, 1, 0);
    say();
    leave('dan');
    say();
    expect(seqsOf('dan')).toEqual([1]);
    expect(store.page(APP, 'dan', new Map([[G, 1]]), 200, 1_000_000).slices).toEqual([]);
    store.confirm(APP, 'dan', G, 99);
    expect(store.confirmed(APP, 'dan', G)).toBe(1);
    store.confirm(APP, 'stranger', G, 2);
    expect(store.confirmed(APP, 'stranger', G)).toBe(0);
  });

  it('a page keeps to its byte budget but always carries one entry', () => {
    join_('owner');
    store.ensure(APP, G, 1, 1, 0);
    for (let i = 0; i < 5; i++) say();
    const tight = store.page(APP, 'owner', new Map(), 200, 1);
    expect(tight.slices[0]!.entries).toHaveLength(1);
    expect(tight.more).toBe(true);
  });

  it('finds a message\'s seq for its resend among the last RESEND_TIMELINE_SEARCH_ENTRIES entries, and says 0 beyond', () => {
    join_('owner');
    store.ensure(APP, G, 1, 1, 0);
    expect(store.seqOfMessage(APP, G, 42)).toBe(0); // no such message
    const firstId = msgId + 1;
    expect(say()).toBe(1);
    const secondId = msgId + 1;
    expect(say()).toBe(2);
    expect([store.seqOfMessage(APP, G, firstId), store.seqOfMessage(APP, G, secondId)]).toEqual([1, 2]);
    // a revoke is an entry without the message's id
    db.transaction(() => store.appendRevoked(APP, G, create(pb.RevokedSchema, { msgId: BigInt(firstId), by: 'owner', conversation: G })))();
    for (let i = 0; i < RESEND_TIMELINE_SEARCH_ENTRIES - 2; i++) say();
    // the head is now RESEND_TIMELINE_SEARCH_ENTRIES + 1: seq 2 is the oldest entry still searched
    expect(store.seqOfMessage(APP, G, secondId)).toBe(2);
    expect(store.seqOfMessage(APP, G, firstId)).toBe(0);
    say();
    expect(store.seqOfMessage(APP, G, secondId)).toBe(0);
    // another group's timeline, or a group that has none, is never searched for it
    expect(store.seqOfMessage(APP, 'g0000000000000002', secondId)).toBe(0);
  });
});
