/** The magpie-server process's exit codes, as docs/server.md lists them. */
export const ExitCode = {
  OK: 0,
  /** A refused admin operation, a listener that could not open, or an unexpected failure. */
  FAILED: 1,
  /** Bad arguments. */
  USAGE: 2,
  /** The data folder cannot be made, opened or written (permissions, read-only or full disk, ...). */
  DATA_FOLDER: 3,
  /**
   * The PostgreSQL database (--db) cannot be reached or used (refused, unknown host, no such
   * database, lost), or a starting cluster node cannot reach NATS (--nats).
   */
  DATABASE: 4,
} as const;
