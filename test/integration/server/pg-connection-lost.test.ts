import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PgDatabase } from '../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../server/storage/pg/pg-url';
import { dropTestSchema, onPostgres, testDatabaseBase, testDatabaseUrl } from '../../support/test-database';
import { startTestServer } from '../../support/test-server';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');

/** Ends the server's PostgreSQL session (found by its application_name, magpie-<schema>); returns how many. */
function terminateServerSession(databaseUrl: string): number {
  const schema = parsePgUrl(databaseUrl).schema;
  const admin = new PgDatabase({ conninfo: parsePgUrl(testDatabaseBase()!).conninfo });
  try {
    return admin
      .prepare<[string], number>('SELECT COUNT(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = ?')
      .pluck()
      .get(`magpie-${schema}`)!;
  } finally {
    admin.close();
  }
}

/**
 * A node whose PostgreSQL connection is lost (docs/server.md "PostgreSQL"): /healthz turns 503, and
 * the CLI's node exits on purpose with one line and exit code 4 (for its supervisor to restart it),
 * never with an uncaught error from a timer.
 */
describe.runIf(onPostgres())('a lost PostgreSQL connection', () => {
  it('turns /healthz to 503', async () => {
    const server = await startTestServer();
    try {
      const health = () => fetch(`http://127.0.0.1:${server.httpPort}/healthz`).then((r) => r.status);
      expect(await health()).toBe(200);
      expect(terminateServerSession(testDatabaseUrl(server.dataDir)!)).toBe(1);
      expect(await health()).toBe(503);
    } finally {
      await server.stop();
    }
  });

  it('ends the node with one line and exit code 4, no stack trace', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'magpie-lost-'));
    const database = testDatabaseUrl(dataDir)!;
    try {
      const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--http-port', '0', '--data', dataDir, '--db', database, '--log-level', 'silent'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('"listening"')) resolve();
        });
        void exited.then((code) => reject(new Error(`exited ${String(code)}: ${stderr}`)));
      });
      expect(terminateServerSession(database)).toBe(1);
      const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
      if (code === 'still running') child.kill('SIGKILL');
      expect(code).toBe(4);
      expect(stderr).toMatch(/^magpie-server: lost the database connection \(.*\); exiting for a restart\n$/);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      dropTestSchema(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
