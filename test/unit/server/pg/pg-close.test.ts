import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pgTestSchema } from './pg-test-schema';

const run = promisify(execFile);
const CHURN = new URL('./close-churn.main.ts', import.meta.url).pathname;

/**
 * A closed connection whose object the garbage collector takes before the event loop's close phase:
 * the process goes on. libpq's finish() leaves its socket watcher for libuv to close at the end of
 * the turn while letting the native object go, so without PgDatabase holding it past that turn a
 * collection in between aborted the process (a server node at shutdown; test workers at random).
 */
describe('closing a PostgreSQL connection', () => {
  it('survives a garbage collection right after each close', { timeout: 60_000 }, async () => {
    const { base } = pgTestSchema();
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', CHURN, base, '500'], { timeout: 50_000 });
    expect(JSON.parse(stdout)).toEqual({ closed: 500 });
  });
});
