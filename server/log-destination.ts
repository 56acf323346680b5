import { writeSync } from 'node:fs';

/**
 * Where the server's log lines go: a file descriptor (stderr), written so that a failing log
 * stream can never stop service. pino's own destination emits an error on a write that fails (a
 * full disk under the log file, an I/O error) that nothing can handle well: the server stopped
 * answering, then exited when space came back. Here a write that cannot be done drops the line and
 * counts it; after `retryMs` one line saying how many were dropped is tried, and logging resumes
 * once it goes through. A stream that is only slow (a pipe whose reader lags, EAGAIN) keeps its
 * lines in memory up to `maxBufferedBytes` and is retried soon; beyond that, lines are dropped too.
 */
export interface LogDestination {
  write(line: string): void;
  /** Writes what waits, now, as far as the stream takes it (before the process exits). */
  flush(callback?: (error?: Error) => void): void;
  /** Lines dropped so far in all. */
  readonly droppedLines: number;
}

export interface LogDestinationOptions {
  readonly fd: number;
  readonly maxBufferedBytes?: number;
  readonly retryMs?: number;
  /** The write itself (tests pass a failing one). */
  readonly writeSync?: (fd: number, text: string) => number;
  /** When to try again (tests pass their own). */
  readonly schedule?: (retry: () => void, ms: number) => void;
}

const SLOW_RETRY_MS = 10;

export function createLogDestination(options: LogDestinationOptions): LogDestination {
  const { fd } = options;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const retryMs = options.retryMs ?? 1_000;
  const write = options.writeSync ?? ((target: number, text: string) => writeSync(target, text));
  // wall time and unreferenced on purpose: a log retry must never keep a stopping server alive
  const schedule = options.schedule ?? ((retry: () => void, ms: number) => void setTimeout(retry, ms).unref());

  let waiting: string[] = [];
  let waitingBytes = 0;
  /** Lines dropped since the last note about them; the note goes first when the stream works again. */
  let droppedSinceNote = 0;
  let droppedTotal = 0;
  let lastFailure = '';
  /** Set while the stream fails: lines are dropped without trying, until the retry. */
  let failing = false;
  let retryScheduled = false;

  function drop(lines: number, reason: string): void {
    droppedSinceNote += lines;
    droppedTotal += lines;
    lastFailure = reason;
  }

  function later(ms: number): void {
    if (retryScheduled) return;
    retryScheduled = true;
    schedule(() => {
      retryScheduled = false;
      failing = false;
      drain();
    }, ms);
  }

  /** Writes text whole; false (and the rest kept in `rest`) when the stream would block or failed. */
  function writeAll(text: string): { done: true } | { done: false; rest: string; error: NodeJS.ErrnoException } {
    let rest = text;
    while (rest.length > 0) {
      let written: number;
      try {
        written = write(fd, rest);
      } catch (error) {
        return { done: false, rest, error: error as NodeJS.ErrnoException };
      }
      // written counts bytes; cut the text by bytes, not characters
      rest = Buffer.from(rest).subarray(written).toString();
    }
    return { done: true };
  }

  function drain(): void {
    if (droppedSinceNote > 0) {
      const note = `${JSON.stringify({ level: 40, time: Date.now(), msg: `${droppedSinceNote} log lines dropped: the log stream failed (${lastFailure})` })}\n`;
      const result = writeAll(note);
      if (!result.done) return fail(result.error);
      droppedSinceNote = 0;
    }
    while (waiting.length > 0) {
      const result = writeAll(waiting.join(''));
      if (result.done) {
        waiting = [];
        waitingBytes = 0;
        return;
      }
      waiting = [result.rest];
      waitingBytes = Buffer.byteLength(result.rest);
      return fail(result.error);
    }
  }

  function fail(error: NodeJS.ErrnoException): void {
    if (error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK') {
      // only slow: keep the lines and try again soon
      later(SLOW_RETRY_MS);
      return;
    }
    drop(waiting.length, error.code ?? error.message);
    waiting = [];
    waitingBytes = 0;
    failing = true;
    later(retryMs);
  }

  return {
    write(line) {
      if (failing) {
        drop(1, lastFailure);
        return;
      }
      const bytes = Buffer.byteLength(line);
      if (waitingBytes + bytes > maxBufferedBytes) {
        drop(1, 'the log stream is too slow');
        return;
      }
      waiting.push(line);
      waitingBytes += bytes;
      if (!retryScheduled) drain();
    },
    flush(callback) {
      if (!failing) drain();
      callback?.();
    },
    get droppedLines() {
      return droppedTotal;
    },
  };
}
