import type PQType from 'libpq';
import type { RunResult, SqlDatabase, SqlStatement, SqlTransaction } from '../sql-database';
import { loadLibpq } from './load-libpq';
import { pgError } from './pg-errors';
import { translatePlaceholders, type TranslatedSql } from './pg-sql';
import { decoderFor, encodeParameter, type Decoder } from './pg-values';

/**
 * The server's SqlDatabase on one PostgreSQL connection (libpq, synchronous). Each statement is
 * prepared once per connection, by name, and run with PQexecPrepared: one round trip, during which
 * the event loop waits, as it waits for SQLite's disk. No reconnect: a lost connection fails every
 * statement (STORAGE_UNAVAILABLE) until the process is restarted, so a node never goes on with a
 * half-known state.
 */


/**
 * Native connections kept alive for a moment after finish(). libpq's finish() hands the
 * connection's socket watcher to libuv to close at the end of the event-loop turn, but also lets
 * the garbage collector free the native object that holds that watcher: a collection in between
 * made libuv close freed memory and aborted the process (`uv__finish_close` assertion; seen as a
 * test worker exiting unexpectedly). Held until a timer, which runs after that turn's close phase.
 */
const closingConnections = new Set<PQType>();

function retainPastClose(pq: PQType): void {
  closingConnections.add(pq);
  setTimeout(() => closingConnections.delete(pq), 10).unref();
}

/** libpq's PQtransactionStatus values. */
const TX_IDLE = 0;
const TX_IN_ERROR = 3;
const TX_UNKNOWN = 4;

interface Prepared {
  readonly name: string;
  readonly sql: TranslatedSql;
}

export interface PgConnectOptions {
  /** libpq connection string or postgres:// URL, without Magpie's own `schema` parameter. */
  readonly conninfo: string;
  /** The schema the connection works in (created if missing); undefined: the server's default. */
  readonly schema?: string;
  /** Bounds on waits, set on the session at connect (docs/server.md "PostgreSQL"); defaults below. */
  readonly timeouts?: Partial<PgTimeouts>;
  /** The session's application_name (pg_stat_activity), e.g. magpie-<node>; default magpie-<schema>. */
  readonly applicationName?: string;
}

/**
 * How long one statement may wait, in ms. The event loop waits with it (libpq is synchronous), and
 * a node that froze holding inbox head locks would otherwise stop every other node: a lock wait
 * past lockMs, a statement past statementMs fail (STORAGE_UNAVAILABLE), and PostgreSQL ends a
 * session left idle inside a transaction for idleInTransactionMs (a frozen node's locks go).
 */
export interface PgTimeouts {
  readonly lockMs: number;
  readonly statementMs: number;
  readonly idleInTransactionMs: number;
}

export const DEFAULT_PG_TIMEOUTS: PgTimeouts = { lockMs: 2_000, statementMs: 10_000, idleInTransactionMs: 10_000 };

export class PgDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly pq: PQType = new (loadLibpq())();
  private readonly prepared = new Map<string, Prepared>();
  private savepoints = 0;
  private closed = false;
  private lost: Error | undefined;
  private readonly lostListeners: ((error: Error) => void)[] = [];

  constructor(options: PgConnectOptions) {
    try {
      this.pq.connectSync(options.conninfo);
    } catch (error) {
      throw pgError(`cannot connect to PostgreSQL: ${(error as Error).message}`, undefined);
    }
    try {
      this.setUpSession(options);
    } catch (error) {
      // a session that could not be set up is not handed out: its connection goes with the error
      this.close();
      throw error;
    }
  }

  private setUpSession(options: PgConnectOptions): void {
    const timeouts = { ...DEFAULT_PG_TIMEOUTS, ...options.timeouts };
    const applicationName = (options.applicationName ?? `magpie-${options.schema ?? 'server'}`).slice(0, 63);
    // the value decoder reads hex bytea and the placeholder scanner plain '' strings: both set here,
    // whatever the server's or the role's defaults say
    this.exec(
      [
        "SET client_encoding = 'UTF8'",
        'SET client_min_messages = warning',
        'SET bytea_output = hex',
        'SET standard_conforming_strings = on',
        `SET application_name = ${this.pq.escapeLiteral(applicationName)}`,
        `SET lock_timeout = ${Math.trunc(timeouts.lockMs)}`,
        `SET statement_timeout = ${Math.trunc(timeouts.statementMs)}`,
        `SET idle_in_transaction_session_timeout = ${Math.trunc(timeouts.idleInTransactionMs)}`,
      ].join('; '),
    );
    if (options.schema !== undefined) {
      const schema = this.pq.escapeIdentifier(options.schema);
      // looked up first: CREATE SCHEMA IF NOT EXISTS needs the CREATE right on the database even
      // when the schema is there, which a least-privilege role does not have
      const exists = this.prepare<[string], number>('SELECT 1 FROM pg_namespace WHERE nspname = ?').pluck().get(options.schema) !== undefined;
      if (!exists) {
        try {
          this.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        } catch (error) {
          // two nodes creating it at the same moment: one of them loses the race, the schema is there
          if ((error as { sqlState?: string }).sqlState !== '23505' && (error as { sqlState?: string }).sqlState !== '42P06') throw error;
        }
      }
      this.exec(`SET search_path TO ${schema}`);
    }
  }

  /** False once closed, and once the connection is lost (then /healthz says not ready). */
  get open(): boolean {
    return !this.closed && this.pq.transactionStatus() !== TX_UNKNOWN;
  }

  /** Whether the connection still answers; once lost, it stays lost (no reconnect). */
  ping(): boolean {
    if (this.closed || this.lost !== undefined) return false;
    if (this.inTransaction) return true;
    try {
      this.exec('SELECT 1');
      return true;
    } catch {
      return this.lost === undefined;
    }
  }

  onConnectionLost(listener: (error: Error) => void): void {
    this.lostListeners.push(listener);
  }

  get inTransaction(): boolean {
    if (this.closed) return false;
    const status = this.pq.transactionStatus();
    return status !== TX_IDLE && status !== TX_UNKNOWN;
  }

  prepare<BindParameters extends unknown[] | object = unknown[], Result = unknown>(
    source: string,
  ): BindParameters extends unknown[] ? SqlStatement<BindParameters, Result> : SqlStatement<[BindParameters], Result> {
    const statement = new PgStatement<Result>(this, this.preparedFor(source));
    return statement as unknown as BindParameters extends unknown[] ? SqlStatement<BindParameters, Result> : SqlStatement<[BindParameters], Result>;
  }

  transaction<F extends (...params: never[]) => unknown>(fn: F): SqlTransaction<F> {
    type Args = Parameters<F>;
    type Out = ReturnType<F>;
    const run = (...args: Args): Out => (this.inTransaction ? this.inSavepoint(fn, args) : this.inNewTransaction(fn, args)) as Out;
    return Object.assign(run, { immediate: run }) as unknown as SqlTransaction<F>;
  }

  exec(source: string): this {
    this.ensureOpen();
    this.pq.exec(source);
    this.check();
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pq.finish();
    retainPastClose(this.pq);
  }

  /** Runs a prepared statement with its parameters; the result stays in the connection until the next call. */
  execute(prepared: Prepared, params: readonly unknown[]): void {
    this.ensureOpen();
    this.pq.execPrepared(prepared.name, bindValues(prepared.sql, params));
    this.check();
  }

  /** The rows of the last result, decoded. */
  rows(pluck: boolean): unknown[] {
    const pq = this.pq;
    const count = pq.ntuples();
    if (count === 0) return [];
    const fields = pq.nfields();
    const decoders: Decoder[] = [];
    const names: string[] = [];
    for (let column = 0; column < fields; column++) {
      decoders.push(decoderFor(pq.ftype(column)));
      names.push(pq.fname(column));
    }
    const rows: unknown[] = new Array(count);
    for (let row = 0; row < count; row++) {
      if (pluck) {
        rows[row] = pq.getisnull(row, 0) ? null : decoders[0]!(pq.getvalue(row, 0));
        continue;
      }
      const record: Record<string, unknown> = {};
      for (let column = 0; column < fields; column++) {
        record[names[column]!] = pq.getisnull(row, column) ? null : decoders[column]!(pq.getvalue(row, column));
      }
      rows[row] = record;
    }
    return rows;
  }

  changes(): number {
    return Number(this.pq.cmdTuples()) || 0;
  }

  private preparedFor(source: string): Prepared {
    let prepared = this.prepared.get(source);
    if (prepared === undefined) {
      const sql = translatePlaceholders(source);
      const name = `s${this.prepared.size + 1}`;
      this.ensureOpen();
      this.pq.prepare(name, sql.text, 0);
      this.check();
      prepared = { name, sql };
      this.prepared.set(source, prepared);
    }
    return prepared;
  }

  private inNewTransaction(fn: (...args: never[]) => unknown, args: unknown[]): unknown {
    this.exec('BEGIN');
    let result: unknown;
    try {
      result = fn(...(args as never[]));
    } catch (error) {
      this.rollbackQuietly('ROLLBACK');
      throw error;
    }
    if (this.pq.transactionStatus() === TX_IN_ERROR) {
      // a statement failed and the caller went on: PostgreSQL would turn the COMMIT into a rollback
      this.rollbackQuietly('ROLLBACK');
      throw pgError('the transaction was aborted by an earlier failed statement and rolled back', '25P02');
    }
    this.exec('COMMIT');
    return result;
  }

  private inSavepoint(fn: (...args: never[]) => unknown, args: unknown[]): unknown {
    const name = `sp${++this.savepoints}`;
    try {
      this.exec(`SAVEPOINT ${name}`);
      let result: unknown;
      try {
        result = fn(...(args as never[]));
        if (this.pq.transactionStatus() === TX_IN_ERROR) {
          throw pgError('the savepoint was aborted by an earlier failed statement', '25P02');
        }
      } catch (error) {
        this.rollbackQuietly(`ROLLBACK TO SAVEPOINT ${name}`);
        if (this.inTransaction) this.rollbackQuietly(`RELEASE SAVEPOINT ${name}`);
        throw error;
      }
      this.exec(`RELEASE SAVEPOINT ${name}`);
      return result;
    } finally {
      this.savepoints--;
    }
  }

  /** Rolls back after a failure; a connection that is gone already rolled back on the server. */
  private rollbackQuietly(command: string): void {
    if (this.closed) return;
    try {
      this.exec(command);
    } catch {
      // the first failure is the one the caller hears about
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new TypeError('The database connection is not open');
  }

  private check(): void {
    const status = this.pq.resultStatus();
    if (status === 'PGRES_COMMAND_OK' || status === 'PGRES_TUPLES_OK' || status === 'PGRES_EMPTY_QUERY') return;
    const fields = this.pq.resultErrorFields();
    const message = this.pq.resultErrorMessage() || this.pq.errorMessage() || status;
    const error = pgError(message, fields?.sqlState, fields?.constraintName);
    if (isConnectionLoss(fields?.sqlState)) this.markLost(error);
    throw error;
  }

  private markLost(error: Error): void {
    if (this.lost !== undefined) return;
    this.lost = error;
    for (const listener of this.lostListeners) {
      try {
        listener(error);
      } catch {
        // a listener's failure must not replace the statement's
      }
    }
  }
}

/**
 * A failure that means the session is gone: no SQLSTATE (the socket closed), a connection
 * exception (08), the backend terminated by an administrator or a shutdown (57P01-57P03), or the
 * session ended for idling in a transaction (25P03).
 */
function isConnectionLoss(state: string | undefined): boolean {
  if (state === undefined || state === '') return true;
  return state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03' || state === '25P03';
}

class PgStatement<Result> {
  private plucking = false;

  constructor(
    private readonly db: PgDatabase,
    private readonly prepared: Prepared,
  ) {}

  run(...params: unknown[]): RunResult {
    this.db.execute(this.prepared, params);
    return { changes: this.db.changes() };
  }

  get(...params: unknown[]): Result | undefined {
    this.db.execute(this.prepared, params);
    return this.db.rows(this.plucking)[0] as Result | undefined;
  }

  all(...params: unknown[]): Result[] {
    this.db.execute(this.prepared, params);
    return this.db.rows(this.plucking) as Result[];
  }

  pluck(toggleState = true): this {
    this.plucking = toggleState;
    return this;
  }
}

/**
 * better-sqlite3's binding rules: values in order (arrays are spread), or one object whose keys
 * name the `@name` placeholders.
 */
function bindValues(sql: TranslatedSql, params: readonly unknown[]): (string | null)[] {
  if (sql.names.length > 0) {
    const named = params[0] as Record<string, unknown> | undefined;
    if (named === undefined || typeof named !== 'object' || named === null) throw new TypeError('this statement takes named parameters (an object)');
    return sql.names.map((name) => {
      if (!(name in named)) throw new RangeError(`Missing named parameter "${name}"`);
      return encodeParameter(named[name]);
    });
  }
  const values: (string | null)[] = [];
  for (const param of params) {
    if (Array.isArray(param)) for (const value of param) values.push(encodeParameter(value));
    else values.push(encodeParameter(param));
  }
  if (values.length !== sql.positional) throw new RangeError(`Too ${values.length < sql.positional ? 'few' : 'many'} parameter values were provided`);
  return values;
}
