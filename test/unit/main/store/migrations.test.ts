import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, pb } from '../../../../protocol';
import { clientStorePath, migrate, openClientStore, openClientStoreFile } from '../../../../main/store';
import { clientStoreMigrations } from '../../../../main/store/migrations';
import { messageEntry } from './inbox-entries';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'magpie-migrate-'));
  dirs.push(dir);
  return dir;
}
// a closed store's checkpoint worker lets go of the folder a moment later: wait for each one
const closing: Promise<unknown>[] = [];
function close(store: { close(): void; closed: Promise<unknown> }): void {
  store.close();
  closing.push(store.closed);
}
afterEach(async () => {
  await Promise.all(closing.splice(0));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

describe('client store migrations', () => {
  it('create every table on a fresh database, in WAL mode, at the newest version', () => {
    const profileDir = tempDir();
    const store = openClientStore({ profileDir, appId: 'app1', userId: 'alice' });
    try {
      expect(store.file).toBe(join(profileDir, 'app1', 'alice', 'magpie.db'));
      expect(store.migration).toEqual({ fromVersion: 0, toVersion: clientStoreMigrations.length });
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = store.db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'message_search_%'")
        .all()
        .map((row) => row.name);
      expect(tables).toEqual(
        expect.arrayContaining(['messages', 'message_search', 'conversations', 'users', 'groups', 'members', 'notices', 'outbox', 'sync_state']),
      );
      expect(store.syncState.get()).toEqual({ appliedSeq: 0, confirmedSeq: 0, serverMaxSeq: 0 });
    } finally {
      close(store);
    }
  });

  it('reopening a current database runs nothing', () => {
    const file = join(tempDir(), 'magpie.db');
    close(openClientStoreFile(file, 'alice'));
    const again = openClientStoreFile(file, 'alice');
    expect(again.migration.fromVersion).toBe(again.migration.toVersion);
    close(again);
  });

  it('refuses a database written by a newer app and leaves it untouched', () => {
    const file = join(tempDir(), 'magpie.db');
    const raw = new BetterSqlite3(file);
    raw.pragma('user_version = 999');
    raw.close();
    let error: unknown;
    try {
      openClientStoreFile(file, 'alice');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MagpieError);
    expect((error as MagpieError).code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const check = new BetterSqlite3(file);
    expect(check.pragma('user_version', { simple: true })).toBe(999);
    check.close();
  });

  it('0003 leaves search-index merging to ingest and keeps what was indexed', async () => {
    const file = join(tempDir(), 'magpie.db');
    const before = new BetterSqlite3(file);
    migrate(before, clientStoreMigrations.slice(0, 2));
    before.exec(`
      INSERT INTO messages (local_id, msg_id, conversation, sender, recipient, outgoing, type, text, time_ms, seq, state)
      VALUES (1, 1, 'bob', 'bob', 'alice', 0, 0, '明天开会', 1000, 1, 'received');
      INSERT INTO message_search (rowid, body) VALUES (1, ' 明  天  开  会 ');`);
    before.close();

    const store = openClientStoreFile(file, 'alice');
    try {
      expect(store.migration).toEqual({ fromVersion: 2, toVersion: clientStoreMigrations.length });
      const automerge = store.db.prepare("SELECT v FROM message_search_config WHERE k = 'automerge'").pluck().get();
      expect(automerge).toBe(0);
      await store.ingest.ingestEntries([messageEntry(2, { msgId: 2, from: 'bob', to: 'alice', text: '开会了吗' })]);
      expect(store.search.search('开会').map((hit) => hit.msgId).sort()).toEqual([1, 2]);
    } finally {
      close(store);
    }
  });

  it('0007 keeps the notices stored before it, which say nothing of what a group change changed', () => {
    const file = join(tempDir(), 'magpie.db');
    const before = new BetterSqlite3(file);
    migrate(before, clientStoreMigrations.slice(0, 6));
    before.exec(`INSERT INTO notices (seq, kind, group_id, actor, text, time_ms, group_name) VALUES (1, 13, 'gteam', 'bob', '', 1000, 'Team 2')`);
    before.close();

    const store = openClientStoreFile(file, 'alice');
    try {
      expect(store.migration).toEqual({ fromVersion: 6, toVersion: clientStoreMigrations.length });
      const [old] = store.notices.listForGroup('gteam');
      expect(old).toMatchObject({ seq: 1, groupName: 'Team 2' });
      expect(old?.changes).toBeUndefined();
    } finally {
      close(store);
    }
  });

  it('0008 adds the unsent read marks to a database at 0007: the highest per conversation, gone once accepted', () => {
    const file = join(tempDir(), 'magpie.db');
    const before = new BetterSqlite3(file);
    migrate(before, clientStoreMigrations.slice(0, 7));
    before.close();

    const store = openClientStoreFile(file, 'alice');
    try {
      expect(store.migration).toEqual({ fromVersion: 7, toVersion: clientStoreMigrations.length });
      store.unsentReads.raise('bob', 5, 1000);
      store.unsentReads.raise('bob', 3, 1001);
      store.unsentReads.raise('gteam', 9, 1002);
      expect(store.unsentReads.all()).toEqual([
        { conversation: 'bob', upToMsgId: 5 },
        { conversation: 'gteam', upToMsgId: 9 },
      ]);
      // an answer to an older, lower READ leaves the higher mark waiting
      store.unsentReads.accepted('gteam', 8);
      store.unsentReads.accepted('bob', 5);
      expect(store.unsentReads.all()).toEqual([{ conversation: 'gteam', upToMsgId: 9 }]);
    } finally {
      close(store);
    }
  });

  it('0009 gives a group cached at 0008 mute all off, and keeps it from then on', () => {
    const file = join(tempDir(), 'magpie.db');
    const before = new BetterSqlite3(file);
    migrate(before, clientStoreMigrations.slice(0, 8));
    before.exec(`INSERT INTO groups (group_id, name, owner, my_role, invite_confirm) VALUES ('gteam', 'Team', 'bob', 1, 1)`);
    before.close();

    const store = openClientStoreFile(file, 'alice');
    try {
      expect(store.migration).toEqual({ fromVersion: 8, toVersion: clientStoreMigrations.length });
      expect(store.groups.getGroup('gteam')).toMatchObject({ name: 'Team', owner: 'bob', inviteConfirm: true, muteAll: false });
      store.groups.patchGroup('gteam', { muteAll: true }, 2000);
      expect(store.groups.listMine()).toEqual([expect.objectContaining({ groupId: 'gteam', muteAll: true })]);
      store.groups.upsertGroup({ ...store.groups.getGroup('gteam')!, muteAll: false }, 3000);
      expect(store.groups.getGroup('gteam')?.muteAll).toBe(false);
    } finally {
      close(store);
    }
  });

  it('0010 keeps the timeline seq of a large group\'s message; the messages stored at 0009 have none', async () => {
    const file = join(tempDir(), 'magpie.db');
    const before = new BetterSqlite3(file);
    migrate(before, clientStoreMigrations.slice(0, 9));
    before.exec(`INSERT INTO messages (msg_id, conversation, sender, recipient, outgoing, type, text, time_ms, seq, state)
      VALUES (10, 'gbig', 'bob', 'gbig', 0, ${pb.MessageType.TEXT}, 'from the inbox', 1000, 1, 'received')`);
    before.close();

    const store = openClientStoreFile(file, 'alice');
    try {
      expect(store.migration).toEqual({ fromVersion: 9, toVersion: clientStoreMigrations.length });
      expect(store.messages.getByMsgId(10)).toMatchObject({ seq: 1, timelineSeq: null });
      await store.ingest.ingestTimeline('gbig', [messageEntry(7, { msgId: 11, from: 'bob', to: 'gbig', text: 'from the timeline' })]);
      expect(store.messages.getByMsgId(11)).toMatchObject({ seq: null, timelineSeq: 7 });
      // met again in the timeline, a message stored from the inbox takes its timeline seq too
      await store.ingest.ingestTimeline('gbig', [messageEntry(8, { msgId: 10, from: 'bob', to: 'gbig', text: 'from the inbox' })]);
      expect(store.messages.getByMsgId(10)).toMatchObject({ seq: 1, timelineSeq: 8 });
    } finally {
      close(store);
    }
  });

  it('a failing migration rolls back whole, version included', () => {
    const db = new BetterSqlite3(':memory:');
    const broken = [
      { version: 1, name: 'ok', up: (d: typeof db) => d.exec('CREATE TABLE a (x)') },
      { version: 2, name: 'broken', up: (d: typeof db) => d.exec('CREATE TABLE b (x); SELECT * FROM missing') },
    ];
    expect(() => migrate(db, broken)).toThrow(/missing/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'b'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('keeps ids from climbing out of the profile folder', () => {
    expect(() => clientStorePath('/p', '../x', 'alice')).toThrow(MagpieError);
    expect(() => clientStorePath('/p', 'app', '../../etc')).toThrow(MagpieError);
  });
});
