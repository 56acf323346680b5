import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

/**
 * The PostgreSQL run's database (docs/server.md "PostgreSQL"); each server gets a schema of its own.
 * Commits do not wait for PostgreSQL's fsync in tests (synchronous_commit off): the tests check
 * behaviour, and a commit's fsync made the many small transactions of some tests ten times slower.
 */
// the same default as test/support/test-database.ts (not imported: the config loads nothing of ours)
const POSTGRES_TEST_DB = process.env.MAGPIE_TEST_DB || 'postgres://postgres@127.0.0.1:5432/test?options=-c%20synchronous_commit%3Doff';

/** The unit tests of the PostgreSQL store need a database: they run in the postgres project only. */
const PG_UNIT_TESTS = 'test/unit/server/pg/**/*.test.ts';

/** Cluster mode runs on PostgreSQL only (the contract of --cluster): the postgres project runs these. */
const CLUSTER_TESTS = ['test/integration/cluster/**', 'test/reliability/cluster-*.test.ts'];

/**
 * Tests about SQLite itself, which the postgres project leaves out; docs/server.md "PostgreSQL"
 * lists each with its reason.
 */
const SQLITE_ONLY = [
  // the write-ahead log of the SQLite file and its checkpoints
  'test/integration/server/wal-checkpoint.test.ts',
  'test/integration/server/wal-growth.test.ts',
  // a full disk under the SQLite file
  'test/reliability/disk-full.test.ts',
  'test/reliability/disk-full-answers.test.ts',
  // the data folder's database file that cannot be made or opened
  'test/integration/server/data-folder-errors.test.ts',
  // the desktop's local server is the embedded SQLite server by design
  'test/integration/local-server/**',
];

/**
 * Tests of the gateway in front of the storage (frames, sockets, the request rate): the database
 * under them changes nothing they check. docs/server.md "PostgreSQL" says why each is left out.
 */
const GATEWAY_SUBJECT = [
  // fuzzed frames and 10,000 silent sockets against the frame parser and the connection limits
  'test/reliability/fuzz-flood.test.ts',
  // a burst beyond the request rate limit: the gateway's token bucket delays, never refuses
  'test/reliability/burst-over-rate-limit.test.ts',
];

/**
 * Tests whose subject is the client or a shell, not the server: the server under them is a fixture,
 * and the server's own suites run on PostgreSQL. docs/server.md "PostgreSQL" says why each is left out.
 */
const CLIENT_SUBJECT = [
  // the client core, its store, outbox, sync engine and CLI against a running server
  'test/integration/client/**',
  // the web shell and the desktop shell
  'test/integration/web/**',
  'test/integration/desktop/**',
  // the client's process killed: its own store and outbox
  'test/reliability/client-sigkill.test.ts',
];

/**
 * Tests that judge a latency or a timer against a bound (a probe's p99 under a flood of fuzzed
 * frames, a recording's running timer, a reconnect within a second or two of a restart, an upload
 * at 0 % while its bytes are throttled): run after everything else, one file at a time, so what
 * they measure is the code and not the other files sharing the two cores. On 2026-12-01 each of
 * them failed a clean-clone CI run beside the rest of the suite and passed alone.
 */
const TIMING_SENSITIVE = [
  'test/reliability/fuzz-flood.test.ts',
  'test/e2e/media.test.ts',
  'test/e2e/file-handover.test.ts',
  'test/integration/client/cli-reconnect.test.ts',
];

export default defineConfig({
  // the renderer's component tests import .vue files
  plugins: [vue()],
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // four workers on CI's two cores: many files wait on sockets, child processes and timers rather
    // than the CPU. A whole run on a shared, busy machine took 736 s with four against 1,080 s with
    // two; on a quiet machine 394 s, and 427 s in a clean-clone CI run (with two: ~830 s).
    // No file shares a fixed port or global resource (port 0, a schema and a data folder per server,
    // network namespaces and tmpfs mounts named by the worker's pid); fuzz-flood's p99 < 200 ms was
    // ~20 ms in CI.
    maxWorkers: 4,
    // every project's files share their worker's module cache (isolate: false): importing the server,
    // the client core and their libraries again for each file was 234 s of the workers' time in a
    // full run. Our modules keep no state at module level that one file could leave to the next
    // (servers, stores and clients are objects each test makes and closes); a test that needs a
    // fresh module would say so in its own file.
    isolate: false,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: [PG_UNIT_TESTS], env: { MAGPIE_TEST_DB: '' } },
      },
      {
        extends: true,
        // as the suite always ran: SQLite, even when MAGPIE_TEST_DB is set in the shell
        test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/unit/**', PG_UNIT_TESTS, ...CLUSTER_TESTS, ...TIMING_SENSITIVE], env: { MAGPIE_TEST_DB: '' } },
      },
      {
        // SQLite too, after the other projects have finished, one file at a time (TIMING_SENSITIVE)
        extends: true,
        test: { name: 'timing', include: TIMING_SENSITIVE, maxWorkers: 1, sequence: { groupOrder: 1 }, env: { MAGPIE_TEST_DB: '' } },
      },
      {
        // the server-backed suites again, every server on PostgreSQL (MAGPIE_TEST_DB)
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/integration/**/*.test.ts', 'test/reliability/**/*.test.ts', PG_UNIT_TESTS],
          exclude: [...SQLITE_ONLY, ...CLIENT_SUBJECT, ...GATEWAY_SUBJECT],
          env: { MAGPIE_TEST_DB: POSTGRES_TEST_DB },
          globalSetup: ['test/support/postgres-global-setup.ts'],
        },
      },
    ],
  },
});
