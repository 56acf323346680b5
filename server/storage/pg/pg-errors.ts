/**
 * PostgreSQL failures with the codes the server already reads from SQLite's (storage-errors.ts,
 * the CLI): a unique violation is SQLITE_CONSTRAINT_UNIQUE on both, a full disk SQLITE_FULL, a lost
 * connection SQLITE_IOERR (the request is answered STORAGE_UNAVAILABLE). The SQLSTATE stays in
 * `sqlState` for what only PostgreSQL has (deadlocks and serialization failures, which the write
 * batch retries).
 */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly sqlState: string | undefined,
    /** The constraint a violation names (e.g. messages_pkey). */
    readonly constraint?: string,
  ) {
    super(message);
    this.name = 'PgError';
  }
}

/** SQLSTATEs a transaction may simply be run again after (it was rolled back as a whole). */
export const RETRYABLE_SQL_STATES: ReadonlySet<string> = new Set(['40001', '40P01']);

/**
 * Unique keys two nodes may insert at once, each after reading that the key was free: the second
 * insert waits for the first's commit and fails, and run again it reads the first's row. A message
 * id is the newest id read, plus the time and a random step (chat/message-store.ts): the rerun
 * picks past it; the same client id sent to two nodes at once: the rerun finds the first copy and
 * answers its receipt; a group's timeline made by two nodes at once: the rerun finds it made; the same group create
 * (request id) on two nodes at once: the rerun finds the first one's group.
 */
const RETRYABLE_CONSTRAINTS: ReadonlySet<string> = new Set(['messages_pkey', 'messages_by_client_id', 'group_timelines_pkey', 'group_creates_pkey']);

/**
 * A failure that says another node's transaction got in the way, not that this one was wrong:
 * the write batch runs the whole transaction again.
 */
export function isRetryableConflict(error: unknown): boolean {
  if (!(error instanceof PgError) || error.sqlState === undefined) return false;
  if (RETRYABLE_SQL_STATES.has(error.sqlState)) return true;
  return error.sqlState === '23505' && error.constraint !== undefined && RETRYABLE_CONSTRAINTS.has(error.constraint);
}

const BY_STATE: Readonly<Record<string, string>> = {
  '23505': 'SQLITE_CONSTRAINT_UNIQUE',
  '23503': 'SQLITE_CONSTRAINT_FOREIGNKEY',
  '23502': 'SQLITE_CONSTRAINT_NOTNULL',
  '23514': 'SQLITE_CONSTRAINT_CHECK',
  '53100': 'SQLITE_FULL',
  '53200': 'SQLITE_NOMEM',
  '40001': 'SQLITE_BUSY_SERIALIZATION',
  '40P01': 'SQLITE_BUSY_DEADLOCK',
  '55P03': 'SQLITE_BUSY_LOCK',
  // a statement past statement_timeout: the database is too slow now, the request is not wrong
  '57014': 'SQLITE_BUSY_TIMEOUT',
  // the session ended by idle_in_transaction_session_timeout: the connection is gone
  '25P03': 'SQLITE_IOERR_CONNECTION',
  '25006': 'SQLITE_READONLY',
};

const BY_CLASS: Readonly<Record<string, string>> = {
  '08': 'SQLITE_IOERR_CONNECTION',
  '23': 'SQLITE_CONSTRAINT',
  '53': 'SQLITE_FULL',
  '57': 'SQLITE_IOERR_SHUTDOWN',
  '58': 'SQLITE_IOERR',
  '42': 'SQLITE_ERROR',
};

/** The SQLite-like code for a SQLSTATE; no SQLSTATE means the connection itself failed. */
export function codeForState(state: string | undefined): string {
  if (state === undefined || state === '') return 'SQLITE_IOERR_CONNECTION';
  return BY_STATE[state] ?? BY_CLASS[state.slice(0, 2)] ?? 'SQLITE_ERROR';
}

export function pgError(message: string, state: string | undefined, constraint?: string): PgError {
  return new PgError(message.trim(), codeForState(state), state === '' ? undefined : state, constraint);
}
