import { randomBytes } from 'node:crypto';
import { DEFAULT_TEST_DB, dropRunSchemas, TEST_DB_ENV, TEST_RUN_ENV } from './test-database';

/**
 * The postgres project's global setup: one id for this run (its test schemas carry it, so runs of
 * other people on the same database never meet), and at the end every schema of the run dropped,
 * including those of servers a test left running or a folder a test removed itself.
 */
export default function setup(): () => void {
  const runId = randomBytes(4).toString('hex');
  process.env[TEST_RUN_ENV] = runId;
  return () => {
    dropRunSchemas(process.env[TEST_DB_ENV] || DEFAULT_TEST_DB, runId);
  };
}
