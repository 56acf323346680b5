import { isRetryableConflict } from './pg/pg-errors';
import type { SqlDatabase } from './sql-database';

/**
 * Group commit. Every write asked for during one event-loop turn runs in one transaction at the
 * end of the turn; a write that throws rolls back alone and the others still commit. The commit is most of what a small write costs; a burst of SENDs read from
 * the sockets in one turn pays it once instead of once per message.
 *
 * Writes run in the order they were asked for, and each one's `after` (the answers and pushes
 * that must not leave before the data is on disk) runs after the commit, in the same order.
 */
export interface WriteBatch {
  run<T, R>(write: () => T, after: (result: T) => R): Promise<R>;
  /** Runs what is waiting now, instead of at the end of the turn (before the database closes). */
  flush(): void;
  /** Writes waiting for the end of the turn. */
  readonly pending: number;
}

interface Pending {
  readonly write: () => unknown;
  readonly after: (result: unknown) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A store that keeps its writes in memory while a batch runs and writes them in a few statements
 * at its end (the inbox's seq heads and rows, the message rows). Outside a batch it writes through.
 */
export interface BatchHooks {
  /**
   * The batch's transaction has begun: writes may be kept in memory from now on. `rerun`: the
   * previous run of the same batch was rolled back because another node's transaction got in the
   * way (a deadlock); a store may take the locks that run needed first, in a fixed order.
   */
  begin(rerun?: boolean): void;
  /** Writes what is kept, inside the transaction (before the commit, or a write's savepoint ends). */
  flush(): void;
  /** The transaction or a write's savepoint rolled back: forgets what is kept and what it read. */
  discard(): void;
  /** The batch is over (committed or not): forgets everything and writes through again. */
  end(): void;
}

/**
 * Runs of a batch that another node's transaction got in the way of (PostgreSQL: a deadlock, a
 * serialization failure, a message id taken at the same moment), before its writes fail.
 */
export const BATCH_CONFLICT_ATTEMPTS = 8;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface WriteBatchOptions {
  /** When the end of the turn comes (tests pass their own). */
  readonly schedule?: (run: () => void) => void;
  /** A write failed in the shared pass and the batch runs again with a savepoint per write. */
  readonly onRetry?: (error: unknown) => void;
  /** Another node's transaction got in the way (PostgreSQL) and the whole batch runs again. */
  readonly onConflict?: (error: unknown, attempt: number) => void;
  /** Each batch's transaction time, in seconds (for the metrics). */
  readonly onCommit?: (seconds: number) => void;
  /** Stores that keep their writes in memory during a batch, flushed in this order. */
  readonly hooks?: readonly BatchHooks[];
}

export function createWriteBatch(db: SqlDatabase, options: WriteBatchOptions = {}): WriteBatch {
  const schedule = options.schedule ?? setImmediate;
  let waiting: Pending[] = [];
  let scheduled = false;
  const hooks = options.hooks ?? [];

  /** Runs a batch with every store keeping its writes in memory until flushHooks(). */
  let rerun = false;

  function inBatch<T>(run: () => T): T {
    for (const hook of hooks) hook.begin(rerun);
    try {
      return run();
    } finally {
      for (const hook of hooks) hook.end();
    }
  }

  function flushHooks(): void {
    for (const hook of hooks) hook.flush();
  }

  /**
   * Every write in one transaction and no savepoints (a savepoint costs about as much as the write
   * itself). Should one throw, the whole transaction is rolled back and run again with a savepoint
   * per write, so that one fails alone; the writes only read the database and the clock, so the
   * second run decides what the first would have.
   */
  function commitBatch(batch: readonly Pending[]): Outcome[] {
    for (let attempt = 1; ; attempt++) {
      rerun = attempt > 1;
      try {
        return commitPasses(batch);
      } catch (error) {
        if (!isRetryableConflict(error) || attempt >= BATCH_CONFLICT_ATTEMPTS) throw error;
        options.onConflict?.(error, attempt);
      } finally {
        rerun = false;
      }
    }
  }

  /**
   * The shared pass, made once: a transaction function costs four wrapped closures to make (and
   * the commit window wraps it again), which was a measurable part of a lone message's batch.
   */
  const sharedPass = db.transaction((batch: readonly Pending[]): Outcome[] =>
    inBatch(() => {
      const outcomes = batch.map((item): Outcome => ({ ok: true, value: item.write() }));
      flushHooks();
      return outcomes;
    }),
  );

  function commitPasses(batch: readonly Pending[]): Outcome[] {
    try {
      return sharedPass(batch);
    } catch (error) {
      // a deadlock or another node's key: the transaction is gone, the whole batch runs again
      if (isRetryableConflict(error)) throw error;
      options.onRetry?.(error);
      return db.transaction(() =>
        inBatch(() =>
          batch.map((item): Outcome => {
            try {
              // nested: better-sqlite3 runs it in a savepoint, rolled back if it throws; what the
              // stores kept is written inside it, so a failing flush fails this write alone
              return {
                ok: true,
                value: db.transaction(() => {
                  const value = item.write();
                  flushHooks();
                  return value;
                })(),
              };
            } catch (failure) {
              for (const hook of hooks) hook.discard();
              // not this write's fault: every write of the batch runs again (commitBatch)
              if (isRetryableConflict(failure)) throw failure;
              // some errors (a full disk, I/O) end the whole transaction, not just the savepoint:
              // then the rest must not commit one by one, the batch fails as one
              if (!db.inTransaction) throw failure;
              return { ok: false, error: failure };
            }
          }),
        ),
      )();
    }
  }

  function flush(): void {
    scheduled = false;
    const batch = waiting;
    waiting = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    const startedMs = performance.now();
    try {
      outcomes = commitBatch(batch);
      options.onCommit?.((performance.now() - startedMs) / 1000);
    } catch (error) {
      // the commit itself failed: nothing of this batch is stored
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (!outcome.ok) {
        item.reject(outcome.error);
        return;
      }
      try {
        item.resolve(item.after(outcome.value));
      } catch (error) {
        item.reject(error);
      }
    });
  }

  return {
    run<T, R>(write: () => T, after: (result: T) => R): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ write, after: after as (result: unknown) => unknown, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          schedule(flush);
        }
      });
    },
    flush,
    get pending() {
      return waiting.length;
    },
  };
}
