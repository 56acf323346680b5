import type { Database } from 'better-sqlite3';

export interface SyncState {
  /** Every inbox entry up to this seq is stored here (the engine applies contiguous seqs only). */
  readonly appliedSeq: number;
  /** The newest seq this device has confirmed to the server. */
  readonly confirmedSeq: number;
  /** The server's inbox head last heard of (LOGIN_RESULT, NOTIFY, SYNC_PAGE). */
  readonly serverMaxSeq: number;
}

/**
 * The one-row sync state. appliedSeq is raised by ingest in the same transaction as the entries,
 * so after a crash it never claims more than what is stored.
 */
export interface SyncStateStore {
  get(): SyncState;
  /** Raises appliedSeq (never lowers it). */
  raiseApplied(seq: number, nowMs: number): void;
  /** Raises confirmedSeq; call after the server has the CONFIRM. */
  raiseConfirmed(seq: number, nowMs: number): void;
  /** Raises serverMaxSeq. */
  raiseServerMax(seq: number, nowMs: number): void;
}

export function createSyncStateStore(db: Database): SyncStateStore {
  const read = db.prepare<[], { applied_seq: number; confirmed_seq: number; server_max_seq: number }>(
    'SELECT applied_seq, confirmed_seq, server_max_seq FROM sync_state WHERE id = 1',
  );
  const applied = db.prepare('UPDATE sync_state SET applied_seq = ?, updated_ms = ? WHERE id = 1 AND applied_seq < ?');
  const confirmed = db.prepare(
    'UPDATE sync_state SET confirmed_seq = ?, updated_ms = ? WHERE id = 1 AND confirmed_seq < ?',
  );
  const serverMax = db.prepare(
    'UPDATE sync_state SET server_max_seq = ?, updated_ms = ? WHERE id = 1 AND server_max_seq < ?',
  );
  return {
    get() {
      const row = read.get()!;
      return { appliedSeq: row.applied_seq, confirmedSeq: row.confirmed_seq, serverMaxSeq: row.server_max_seq };
    },
    raiseApplied(seq, nowMs) {
      applied.run(seq, nowMs, seq);
    },
    raiseConfirmed(seq, nowMs) {
      confirmed.run(seq, nowMs, seq);
    },
    raiseServerMax(seq, nowMs) {
      serverMax.run(seq, nowMs, seq);
    },
  };
}
