import type { SqlDatabase, SqlStatement } from './sql-database';

/** Rows per INSERT statement: with 7–11 columns, well under SQLite's 32,766 bound parameters. */
export const MULTI_ROW_INSERT_ROWS = 64;

/**
 * An INSERT of many rows in few statements (`VALUES (…), (…), …`, up to MULTI_ROW_INSERT_ROWS
 * rows each): one statement step per chunk instead of one per row. `head` is the statement up to
 * and including VALUES. The statements for each chunk size are prepared once, when first needed.
 */
export function createMultiRowInsert(db: SqlDatabase, head: string, columns: number): (rows: readonly (readonly unknown[])[]) => void {
  const statements = new Map<number, SqlStatement>();
  const tuple = `(${Array.from({ length: columns }, () => '?').join(', ')})`;

  function statementFor(rows: number): SqlStatement {
    let statement = statements.get(rows);
    if (statement === undefined) {
      statement = db.prepare(`${head} ${Array.from({ length: rows }, () => tuple).join(', ')}`);
      statements.set(rows, statement);
    }
    return statement;
  }

  return (rows) => {
    for (let start = 0; start < rows.length; start += MULTI_ROW_INSERT_ROWS) {
      const end = Math.min(rows.length, start + MULTI_ROW_INSERT_ROWS);
      // copied by hand: Array.prototype.flat took V8's generic path here, ~5 % of a burst's CPU
      const values: unknown[] = [];
      for (let row = start; row < end; row++) {
        const cells = rows[row]!;
        if (cells.length !== columns) throw new Error(`a row of ${cells.length} values for ${columns} columns`);
        for (let column = 0; column < columns; column++) values.push(cells[column]);
      }
      statementFor(end - start).run(values);
    }
  };
}
