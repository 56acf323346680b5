/**
 * The database the whole server uses: the subset of better-sqlite3's synchronous interface the
 * stores need, implemented twice. On SQLite it is the better-sqlite3 connection itself (nothing
 * between the stores and the driver); on PostgreSQL it is a libpq connection
 * (server/storage/pg/pg-database.ts) that blocks the event loop for each round trip, as SQLite
 * blocks it for each statement (docs/server.md "PostgreSQL").
 *
 * SQL is written once for both: `?` (or `@name` with an object) placeholders, integers for
 * booleans, ON CONFLICT for upserts, RETURNING instead of the last row id. What the two engines
 * spell differently goes through the helpers at the end of this file.
 */

export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  /** Rows the statement inserted, updated or deleted. */
  readonly changes: number;
}

export interface SqlStatement<BindParameters extends unknown[] = unknown[], Result = unknown> {
  run(...params: BindParameters): RunResult;
  get(...params: BindParameters): Result | undefined;
  all(...params: BindParameters): Result[];
  /** From now on get/all give each row's first column instead of the row. */
  pluck(toggleState?: boolean): this;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same shape as better-sqlite3's
type VariableArgFunction = (...params: any[]) => unknown;
type ArgumentTypes<F extends VariableArgFunction> = F extends (...args: infer A) => unknown ? A : never;

/**
 * fn in a transaction: BEGIN … COMMIT at the outside, a savepoint when already in one. A throw
 * rolls back what fn did (to the savepoint) and goes on up.
 */
export interface SqlTransaction<F extends VariableArgFunction> {
  (...params: ArgumentTypes<F>): ReturnType<F>;
  /** SQLite: BEGIN IMMEDIATE (takes the write lock first); PostgreSQL: the same as a call. */
  immediate(...params: ArgumentTypes<F>): ReturnType<F>;
}

export interface SqlDatabase {
  readonly dialect: Dialect;
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare<BindParameters extends unknown[] | object = unknown[], Result = unknown>(
    source: string,
  ): BindParameters extends unknown[] ? SqlStatement<BindParameters, Result> : SqlStatement<[BindParameters], Result>;
  transaction<F extends VariableArgFunction>(fn: F): SqlTransaction<F>;
  /**
   * PostgreSQL only: whether the connection still answers (a `SELECT 1` when no transaction is
   * open; false once it was lost). SQLite has no connection to lose: undefined.
   */
  ping?(): boolean;
  /** PostgreSQL only: called once when the connection is found lost (a failed statement or ping). */
  onConnectionLost?(listener: (error: Error) => void): void;
  /**
   * SQLite with a commit window (commit-window.ts): commits what the window holds now. Absent
   * where every transaction commits by itself.
   */
  settle?(): void;
  /** Runs SQL without parameters (several statements allowed): schema steps, tests. */
  exec(source: string): this;
  close(): void;
}

/** SQLite's two-argument MAX (a scalar there): GREATEST on PostgreSQL, where MAX only aggregates. */
export function greatest(db: SqlDatabase): string {
  return db.dialect === 'postgres' ? 'GREATEST' : 'MAX';
}

/** SQLite's two-argument MIN: LEAST on PostgreSQL. */
export function least(db: SqlDatabase): string {
  return db.dialect === 'postgres' ? 'LEAST' : 'MIN';
}

/** SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE does the same there. */
export function likeIgnoringCase(db: SqlDatabase): string {
  return db.dialect === 'postgres' ? 'ILIKE' : 'LIKE';
}
