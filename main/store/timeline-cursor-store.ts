import type { Database } from 'better-sqlite3';

/**
 * The cursors of the user's large groups' timelines (migration 0006). appliedSeq is raised by the
 * timeline ingest in the same transaction as the entries, so after a crash it never claims more
 * than what is stored; it only rises.
 */
export interface TimelineCursorStore {
  /** Every timeline's applied seq, by group id. */
  applied(): Map<string, number>;
  appliedOf(groupId: string): number;
  raiseApplied(groupId: string, seq: number, nowMs: number): void;
  /** Raises the confirmed seq; call after the server has the TIMELINE_CONFIRM. */
  raiseConfirmed(groupId: string, seq: number, nowMs: number): void;
}

export function createTimelineCursorStore(db: Database): TimelineCursorStore {
  const all = db.prepare<[], { group_id: string; applied_seq: number }>('SELECT group_id, applied_seq FROM timeline_cursors');
  const one = db.prepare<[string], number>('SELECT applied_seq FROM timeline_cursors WHERE group_id = ?').pluck();
  const applied = db.prepare(`
    INSERT INTO timeline_cursors (group_id, applied_seq, updated_ms) VALUES (?, ?, ?)
    ON CONFLICT (group_id) DO UPDATE SET applied_seq = excluded.applied_seq, updated_ms = excluded.updated_ms
    WHERE excluded.applied_seq > applied_seq`);
  const confirmed = db.prepare(`
    UPDATE timeline_cursors SET confirmed_seq = ?, updated_ms = ? WHERE group_id = ? AND confirmed_seq < ?`);
  return {
    applied: () => new Map(all.all().map((row) => [row.group_id, row.applied_seq])),
    appliedOf: (groupId) => one.get(groupId) ?? 0,
    raiseApplied: (groupId, seq, nowMs) => void applied.run(groupId, seq, nowMs),
    raiseConfirmed: (groupId, seq, nowMs) => void confirmed.run(seq, nowMs, groupId, seq),
  };
}
