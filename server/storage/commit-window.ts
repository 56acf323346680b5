import type { Database, Statement } from 'better-sqlite3';
import { openRedoLog, readRedoLog, RedoEntryEncoder, type RedoLogFile, type RedoRecord } from './redo-log';
import type { SqlDatabase, SqlStatement, SqlTransaction } from './sql-database';

/**
 * The commit window (docs/server.md "Commit window"). A SQLite commit writes every page the
 * transaction touched to the write-ahead log, two system calls a page: a lone message (nothing to
 * share its commit with) paid ~18 of them, more than the rest of its handling. So the server keeps
 * one SQLite transaction open for up to `windowMs`: each write transaction of the stores runs in a
 * savepoint inside it, and what it wrote reaches the disk as one record of the redo log (the
 * statements it ran and their arguments, one `write` call) before the savepoint ends and before
 * any answer depending on it leaves. The window commits on a timer, before any write outside a
 * transaction, before `exec`, and at close; the log is emptied after each commit.
 *
 * What a commit survived before, a record survives now: a crashed process (not a crashed
 * machine, as before: `synchronous = NORMAL`). The next open runs the records of the window that
 * never committed again, in order, on the database as that window found it
 * ({@link replayRedoLog}); the `redo_window` row, written in each window's transaction, says which
 * window committed last, so a record is never run twice.
 *
 * Reads on this connection see the window's writes, as they saw a committed write before; another
 * process (an admin command) sees them once the window commits, at most `windowMs` later, and gets
 * the write lock in the `gapMs` after each commit, when no window is open.
 */

export interface CommitWindowOptions {
  /** How long a window stays open before it commits. */
  readonly windowMs: number;
  /** How long after a commit the next window waits (write transactions commit alone meanwhile). */
  readonly gapMs: number;
  /** A window commits early once the redo log holds this many bytes. */
  readonly maxLogBytes: number;
  /** A window's commit failed, or SQLite ended its transaction; `recovered`: the log was run again. */
  readonly onWindowLost?: (error: unknown, recovered: boolean) => void;
}

/** The redo log's file: the database's name with this after it. */
export const REDO_LOG_SUFFIX = '-redo';

const WINDOW_TABLE = `CREATE TABLE IF NOT EXISTS redo_window (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  -- the last commit window that committed
  window INTEGER NOT NULL
) STRICT`;

/** A database with a commit window in front of it. */
export interface WindowedDatabase extends SqlDatabase {
  /** The better-sqlite3 connection (pragmas, checkpoints). */
  readonly rawConnection: Database;
}

export interface ReplayOutcome {
  /** Records run again (written by a window that never committed). */
  readonly replayed: number;
  /** Records of a window later than the next one (after a crash of the machine), not run. */
  readonly skipped: number;
  /** Bytes of a record cut short at the end of the log (a crash of the machine), dropped. */
  readonly droppedBytes: number;
}

/** The redo log could not be run again: the database stays as its last window committed it. */
export class RedoLogError extends Error {
  readonly code = 'REDO_LOG_FAILED';
  constructor(logFile: string, cause: unknown) {
    super(
      `cannot run the redo log ${logFile} again (${cause instanceof Error ? cause.message : String(cause)}); ` +
        'free disk space and start again, or move the file away to start without what it holds',
      { cause },
    );
    this.name = 'RedoLogError';
  }
}

/** A transaction asked for after SQLite ended the one it belongs in (a full disk, an I/O error). */
function transactionEnded(): Error {
  return Object.assign(new Error('the transaction was ended by an earlier storage failure'), { code: 'EIO' });
}

function committedWindow(raw: Database): number {
  raw.exec(WINDOW_TABLE);
  raw.prepare('INSERT OR IGNORE INTO redo_window (id, window) VALUES (1, 0)').run();
  return raw.prepare<[], number>('SELECT window FROM redo_window WHERE id = 1').pluck().get()!;
}

/**
 * Runs the records of the window after the committed one, in one transaction. Records of a window
 * that did commit are skipped; records of a later window than the next are not run either: they
 * can only follow a window whose commit never reached the disk (a crash of the machine, under
 * `synchronous = NORMAL`), and would run on a state they were not written on.
 */
function runRecords(raw: Database, records: readonly RedoRecord[], committed: number): { replayed: number; skipped: number } {
  const next = committed + 1;
  const pending = records.filter((record) => record.window === next);
  const skipped = records.filter((record) => record.window > next).length;
  if (pending.length === 0) return { replayed: 0, skipped };
  // a later record may use a statement first written down in an earlier, already committed one
  const sqlById = new Map<number, string>();
  for (const record of records) for (const [id, sql] of record.defs) sqlById.set(id, sql);
  const statements = new Map<number, Statement>();
  raw.transaction(() => {
    for (const record of pending) {
      for (const [id, args] of record.entries) {
        let statement = statements.get(id);
        if (statement === undefined) {
          const sql = sqlById.get(id);
          if (sql === undefined) throw new Error(`redo log: statement ${id} is used before it is written down`);
          statement = raw.prepare(sql);
          statements.set(id, statement);
        }
        if (statement.reader) statement.all(...args);
        else statement.run(...args);
      }
    }
    raw.prepare('UPDATE redo_window SET window = ? WHERE id = 1').run(next);
  }).immediate();
  return { replayed: pending.length, skipped };
}

/**
 * Runs again what a window wrote but never committed (the process ended in between), then empties
 * the log. Only the process that owns the data folder may do it (data-folder-lock.ts). A failure
 * is a RedoLogError: the database stays as the last window committed it, the log as it was.
 */
export function replayRedoLog(raw: Database, logFile: string): ReplayOutcome {
  try {
    return runLog(raw, logFile);
  } catch (error) {
    throw new RedoLogError(logFile, error);
  }
}

/** replayRedoLog with SQLite's own error on failure (a full disk stays a storage failure). */
function runLog(raw: Database, logFile: string): ReplayOutcome {
  const { records, droppedBytes } = readRedoLog(logFile);
  if (records.length === 0 && droppedBytes === 0) return { replayed: 0, skipped: 0, droppedBytes };
  const outcome = runRecords(raw, records, committedWindow(raw));
  const log = openRedoLog(logFile);
  log.clear();
  log.close();
  return { ...outcome, droppedBytes };
}

/** Puts a commit window in front of a SQLite connection whose redo log was just replayed. */
export function openCommitWindow(raw: Database, logFile: string, options: CommitWindowOptions): WindowedDatabase {
  let committed = committedWindow(raw);
  const log: RedoLogFile = openRedoLog(logFile);
  const setWindow = raw.prepare('UPDATE redo_window SET window = ? WHERE id = 1');

  let windowOpen = false;
  let openedWindow = 0;
  let timer: NodeJS.Timeout | undefined;
  let reopenAtMs = 0;
  /** Nesting of transaction() calls: 0 outside any. */
  let depth = 0;
  /** The statements the current outermost transaction ran, in order (only while a window is open). */
  const capture = new RedoEntryEncoder();
  let nextStatementId = 1;
  const sqlById = new Map<number, string>();
  /** Statement ids whose SQL the log file already holds. */
  const definedInLog = new Set<number>();
  /** Set when a window's transaction was lost and running its records again failed too. */
  let lost: unknown;

  function appendRecord(): void {
    const defs: [number, string][] = [];
    for (const id of capture.ids) {
      if (!definedInLog.has(id)) {
        definedInLog.add(id);
        defs.push([id, sqlById.get(id)!]);
      }
    }
    try {
      log.append({ window: openedWindow, defs, entries: capture });
    } catch (error) {
      for (const [id] of defs) definedInLog.delete(id);
      // a record cut short that could not be cut off: commit what is before it, which empties the log
      if (log.torn) setImmediate(settleQuietly);
      throw error;
    }
    if (log.size >= options.maxLogBytes) setImmediate(settleQuietly);
  }

  function openWindow(): void {
    raw.exec('BEGIN IMMEDIATE');
    try {
      setWindow.run(committed + 1);
    } catch (error) {
      raw.exec('ROLLBACK');
      throw error;
    }
    openedWindow = committed + 1;
    windowOpen = true;
    timer = setTimeout(settleQuietly, options.windowMs);
    timer.unref();
  }

  /**
   * SQLite ended the window's transaction itself (a full disk, an I/O error) or its commit failed:
   * what the log holds is all that is left of the window. Runs it again now; should that fail as
   * well, every write waits for it to succeed first (and fails as storage unavailable meanwhile).
   */
  function recover(error: unknown): void {
    windowOpen = false;
    clearTimeout(timer);
    if (raw.inTransaction) {
      try {
        raw.exec('ROLLBACK');
      } catch {
        // already ended by SQLite
      }
    }
    try {
      runLog(raw, logFile);
      committed = committedWindow(raw);
      // the replay emptied the file through a handle of its own
      log.clear();
      definedInLog.clear();
      lost = undefined;
      options.onWindowLost?.(error, true);
    } catch (failure) {
      lost = failure;
      options.onWindowLost?.(failure, false);
      throw failure;
    }
  }

  /** Commits the open window (if any) and empties the log; inside a transaction, leaves it for later. */
  function settle(): void {
    if (depth > 0) return;
    if (lost !== undefined) recover(lost);
    if (!windowOpen) return;
    clearTimeout(timer);
    windowOpen = false;
    try {
      raw.exec('COMMIT');
    } catch (error) {
      recover(error);
      return;
    }
    committed = openedWindow;
    reopenAtMs = performance.now() + options.gapMs;
    try {
      log.clear();
    } catch {
      // the records left in it belong to a committed window: a replay skips them
    }
    definedInLog.clear();
  }

  function settleQuietly(): void {
    try {
      settle();
    } catch {
      // reported through onWindowLost; the next write tries again
    }
  }

  /** Before the outermost transaction: recovers a lost window, opens one when it is due. */
  function beginOutermost(): void {
    if (lost !== undefined) recover(lost);
    // a window SQLite ended between two transactions: the next one must not commit alone under it
    else if (windowOpen && !raw.inTransaction) recover(new Error('SQLite ended the commit window’s transaction'));
    if (!windowOpen && performance.now() >= reopenAtMs) openWindow();
  }

  /** After the outermost transaction: notices a window SQLite ended on its own. */
  function endOutermost(): void {
    if (windowOpen && !raw.inTransaction) recover(new Error('SQLite ended the commit window’s transaction'));
  }

  function writeStatement(sql: string, statement: Statement): SqlStatement {
    const id = nextStatementId++;
    sqlById.set(id, sql);
    // a write outside any transaction commits by itself: the window commits first, so the order
    // on disk stays the order of the writes
    const before = () => {
      if (depth === 0) settle();
    };
    const after = (args: unknown[]) => {
      if (depth > 0 && windowOpen && raw.inTransaction) capture.add(id, args);
    };
    const wrapped: SqlStatement = {
      run(...args: unknown[]) {
        before();
        const result = statement.run(...args);
        after(args);
        return result;
      },
      get(...args: unknown[]) {
        before();
        const result = statement.get(...args);
        after(args);
        return result;
      },
      all(...args: unknown[]) {
        before();
        const result = statement.all(...args);
        after(args);
        return result;
      },
      pluck(toggleState?: boolean) {
        statement.pluck(toggleState ?? true);
        return wrapped;
      },
    };
    return wrapped;
  }

  const db: WindowedDatabase = {
    dialect: 'sqlite',
    rawConnection: raw,
    get open() {
      return raw.open;
    },
    get inTransaction() {
      // false once SQLite ended the transaction itself: what runs next must not commit alone
      return depth > 0 && raw.inTransaction;
    },
    prepare(source: string) {
      const statement = raw.prepare(source);
      // reads go straight to the driver
      return (statement.readonly ? statement : writeStatement(source, statement)) as never;
    },
    transaction(fn) {
      const inner = raw.transaction((...args: unknown[]) => {
        depth++;
        const count = capture.count;
        const mark = capture.mark;
        try {
          const result = fn(...args) as unknown;
          if (depth === 1 && windowOpen) {
            // SQLite ended the window under it: part of this transaction's work is gone with it
            if (!raw.inTransaction) throw transactionEnded();
            // the record is on disk before the savepoint ends: a failed write rolls the work back
            if (capture.count > 0) appendRecord();
          }
          return result;
        } catch (error) {
          capture.cutTo(count, mark);
          throw error;
        } finally {
          if (depth === 1) capture.clear();
          depth--;
        }
      });
      const outermost =
        (run: (...args: unknown[]) => unknown) =>
        (...args: unknown[]) => {
          if (depth > 0) {
            // a savepoint in a transaction SQLite already ended would be a transaction of its own
            if (!raw.inTransaction) throw transactionEnded();
            return run(...args);
          }
          beginOutermost();
          try {
            return run(...args);
          } finally {
            endOutermost();
          }
        };
      return Object.assign(outermost(inner), { immediate: outermost(inner.immediate) }) as unknown as SqlTransaction<typeof fn>;
    },
    exec(source: string) {
      settle();
      raw.exec(source);
      return db;
    },
    settle,
    close() {
      if (!raw.open) return;
      try {
        settle();
      } finally {
        log.close();
        raw.close();
      }
    },
  };
  return db;
}
