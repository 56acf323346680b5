import { afterEach, describe, expect, it } from 'vitest';
import { messageEntry, openTempStore } from './inbox-entries';

let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

/** EXPLAIN QUERY PLAN's lines for a statement, with its parameters bound. */
function plan(sql: string, ...params: unknown[]): string {
  return temp.store.db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...params)
    .map((row) => row.detail)
    .join('\n');
}

describe('query plans of the hot queries', () => {
  it('use an index, never a scan or a sort', () => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage(
      Array.from({ length: 200 }, (_, i) => messageEntry(i + 1, { msgId: i + 1, from: `u${i % 7}`, to: 'alice', text: `x${i}` })),
    );
    temp.store.db.exec('ANALYZE');

    const page = plan(
      `SELECT * FROM messages WHERE conversation = ? AND (time_ms, local_id) < (?, ?) AND deleted = 0
       ORDER BY time_ms DESC, local_id DESC LIMIT ?`,
      'u1', 1e15, 1e15, 50,
    );
    expect(page).toMatch(/SEARCH messages USING INDEX messages_by_conversation_time \(conversation=\? AND time_ms<\?\)/);
    expect(page).not.toMatch(/TEMP B-TREE|SCAN/);

    // what to send next skips media messages still waiting for their upload, by its primary key
    const outbox = plan(
      `SELECT * FROM outbox WHERE state = 'sending'
         AND NOT EXISTS (SELECT 1 FROM outbox_uploads u WHERE u.client_msg_id = outbox.client_msg_id)
       ORDER BY local_id LIMIT ?`,
      10,
    );
    expect(outbox).toMatch(/SEARCH outbox USING INDEX outbox_by_state \(state=\?\)/);
    expect(outbox).toMatch(/SEARCH u USING PRIMARY KEY \(client_msg_id=\?\)/);
    expect(outbox).not.toMatch(/TEMP B-TREE|SCAN/);

    const unread = plan(
      `SELECT count(*) AS unread, sum(mentions_me) AS mentions FROM messages
       WHERE conversation = ? AND state = 'received' AND revoked = 0 AND burned = 0 AND deleted = 0`,
      'u1',
    );
    expect(unread).toMatch(/USING INDEX messages_unread \(conversation=\?\)/);

    const readUpTo = plan(`UPDATE messages SET state = 'read' WHERE conversation = ? AND state = 'received' AND msg_id <= ?`, 'u1', 9);
    expect(readUpTo).toMatch(/USING INDEX messages_unread \(conversation=\? AND msg_id<\?\)/);

    const peerRead = plan(`UPDATE messages SET state = 'read' WHERE conversation = ? AND state = 'sent' AND msg_id <= ?`, 'u1', 9);
    expect(peerRead).toMatch(/USING INDEX messages_unread_by_peer/);

    const unburned = plan(
      `SELECT min(msg_id) AS id FROM messages
       WHERE conversation = ? AND burn_after_reading = 1 AND burned = 0 AND outgoing = 0 AND msg_id IS NOT NULL`,
      'u1',
    );
    expect(unburned).toMatch(/USING (COVERING )?INDEX messages_unburned/);

    // every READ's answer deletes its waiting mark (migration 0008), by the conversation's key
    const readAnswered = plan('DELETE FROM unsent_reads WHERE conversation = ? AND up_to_msg_id <= ?', 'u1', 9);
    expect(readAnswered).toMatch(/SEARCH unsent_reads USING INDEX sqlite_autoindex_unsent_reads_1 \(conversation=\?\)/);

    const list = plan('SELECT * FROM conversations ORDER BY pinned DESC, last_time_ms DESC LIMIT ? OFFSET ?', 50, 0);
    expect(list).toMatch(/SCAN conversations USING INDEX conversations_by_list_order/);
    expect(list).not.toMatch(/TEMP B-TREE/);

    for (const sql of [
      'SELECT * FROM messages WHERE msg_id = ?',
      'SELECT 1 FROM messages WHERE msg_id = ?',
      'SELECT * FROM messages WHERE client_msg_id = ?',
      'SELECT * FROM notices WHERE group_id = ? ORDER BY seq DESC LIMIT ?',
    ]) {
      expect(plan(sql, ...(sql.includes('LIMIT') ? ['g1', 5] : [1]))).toMatch(/SEARCH .* USING (COVERING )?INDEX/);
    }

    const search = plan(
      `SELECT m.* FROM message_search s JOIN messages m ON m.local_id = s.rowid
       WHERE message_search MATCH ? AND s.rowid < ? ORDER BY s.rowid DESC LIMIT ?`,
      '"x"*', 1e15, 10,
    );
    expect(search).toMatch(/SCAN s VIRTUAL TABLE INDEX/);
    expect(search).toMatch(/SEARCH m USING INTEGER PRIMARY KEY/);
    expect(search).not.toMatch(/TEMP B-TREE/);
  });
});
