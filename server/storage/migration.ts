import type { Database } from 'better-sqlite3';

/**
 * One numbered schema change. `up` runs inside a transaction opened by the runner; it must not
 * open its own. Files are named NNNN-name.ts and listed, in order, in migrations/index.ts.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
