import type { Database } from 'better-sqlite3';

/** A read mark waiting for the server: the conversation read up to a message id. */
export interface UnsentRead {
  readonly conversation: string;
  readonly upToMsgId: number;
}

/**
 * Read marks not yet accepted by the server (migration 0008), the highest per conversation. A
 * mark is written before its READ goes out and deleted only when the server answers it, so one
 * made offline survives a restart of the app.
 */
export interface UnsentReadStore {
  /** Records the mark unless one at least as high waits already. */
  raise(conversation: string, upToMsgId: number, nowMs: number): void;
  /** Every waiting mark, oldest first. */
  all(): UnsentRead[];
  /** The server has the mark up to upToMsgId: a waiting mark no higher is done. */
  accepted(conversation: string, upToMsgId: number): void;
}

export function createUnsentReadStore(db: Database): UnsentReadStore {
  const raise = db.prepare(`
    INSERT INTO unsent_reads (conversation, up_to_msg_id, marked_ms) VALUES (?, ?, ?)
    ON CONFLICT (conversation) DO UPDATE SET up_to_msg_id = excluded.up_to_msg_id, marked_ms = excluded.marked_ms
    WHERE excluded.up_to_msg_id > up_to_msg_id`);
  const all = db.prepare<[], { conversation: string; up_to_msg_id: number }>('SELECT conversation, up_to_msg_id FROM unsent_reads ORDER BY marked_ms, conversation');
  const accepted = db.prepare('DELETE FROM unsent_reads WHERE conversation = ? AND up_to_msg_id <= ?');
  return {
    raise: (conversation, upToMsgId, nowMs) => void raise.run(conversation, upToMsgId, nowMs),
    all: () => all.all().map((row) => ({ conversation: row.conversation, upToMsgId: row.up_to_msg_id })),
    accepted: (conversation, upToMsgId) => void accepted.run(conversation, upToMsgId),
  };
}
