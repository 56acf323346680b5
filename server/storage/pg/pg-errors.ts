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
  ) {
    super(message);
    this.name = 'PgError';
  }
}

/** SQLSTATEs a transaction may simply be run again after (it was rolled back as a whole). */
export const RETRYABLE_SQL_STATES: ReadonlySet<string> = new Set(['40001', '40P01']);

export function isRetryableConflict(error: unknown): boolean {
  const state = (error as { sqlState?: unknown } | null)?.sqlState;
  return typeof state === 'string' && RETRYABLE_SQL_STATES.has(state);
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
  '57014': 'SQLITE_INTERRUPT',
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

export function pgError(message: string, state: string | undefined): PgError {
  return new PgError(message.trim(), codeForState(state), state === '' ? undefined : state);
}
