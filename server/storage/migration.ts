import type { SqlDatabase } from './sql-database';

/**
 * One numbered schema step. Files are named NNNN-name.ts and listed, in order, in
 * migrations/index.ts, which gives each step its PostgreSQL body (migrations/postgres/): the same
 * tables, indexes and triggers in PostgreSQL's spelling. `up` runs inside the transaction the
 * runner opens; it must not open its own.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: SqlDatabase): void;
  /** The step on PostgreSQL. */
  readonly postgres?: (db: SqlDatabase) => void;
}
