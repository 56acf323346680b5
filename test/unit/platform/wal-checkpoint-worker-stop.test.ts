import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startWalCheckpointWorker } from '../../../platform/sqlite';

const root = resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

function walDatabase(): { file: string; db: BetterSqlite3.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'magpie-wal-stop-'));
  dirs.push(dir);
  const file = join(dir, 'magpie.db');
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)');
  return { file, db };
}

/** This process's open descriptors on the database's files (Linux's /proc). */
function openDescriptors(file: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
    } catch {
      return false;
    }
  }).length;
}

describe('stopping the WAL checkpoint worker', () => {
  it('a worker stuck in a checkpoint is let go after stopTimeoutMs, and closes its connection once the checkpoint returns', async () => {
    const { file, db } = walDatabase();
    // the owner holds the file exclusively: the worker's checkpoint waits for it (up to its busy timeout)
    db.pragma('locking_mode = EXCLUSIVE');
    db.prepare('INSERT INTO t (body) VALUES (?)').run(Buffer.alloc(1000));
    const worker = startWalCheckpointWorker({ file, intervalMs: 10, busyTimeoutMs: 20_000, stopTimeoutMs: 300 });
    await new Promise((done) => setTimeout(done, 300));
    const started = Date.now();
    expect(await worker.stop()).toBe('abandoned');
    expect(Date.now() - started).toBeLessThan(2_000);
    // the owner lets go: the checkpoint gets its lock, the worker reads its 'close' and ends
    db.close();
    if (process.platform === 'linux') {
      const until = Date.now() + 10_000;
      while (openDescriptors(file) > 0 && Date.now() < until) await new Promise((done) => setTimeout(done, 50));
      expect(openDescriptors(file)).toBe(0);
    }
  });

  it('a stop during a checkpoint that returns in time is a clean stop', async () => {
    const { file, db } = walDatabase();
    db.pragma('locking_mode = EXCLUSIVE');
    db.prepare('INSERT INTO t (body) VALUES (?)').run(Buffer.alloc(1000));
    const worker = startWalCheckpointWorker({ file, intervalMs: 10, busyTimeoutMs: 500, stopTimeoutMs: 5_000 });
    await new Promise((done) => setTimeout(done, 100));
    expect(await worker.stop()).toBe('stopped');
    db.close();
  });

  it('stops at once when no checkpoint is running', async () => {
    const { file, db } = walDatabase();
    const worker = startWalCheckpointWorker({ file, intervalMs: 10_000, stopTimeoutMs: 10_000 });
    const started = Date.now();
    expect(await worker.stop()).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(2_000);
    db.close();
  });

  it('a worker its owner never stopped does not keep the process alive', async () => {
    const { file, db } = walDatabase();
    db.close();
    // a store left open (a failed sign-in's, say) must not keep a shell from exiting after Ctrl+C
    const script = `import { startWalCheckpointWorker } from ${JSON.stringify(join(root, 'platform/sqlite/index.ts'))};
      startWalCheckpointWorker({ file: ${JSON.stringify(file)}, intervalMs: 20 });
      setTimeout(() => process.stdout.write('idle\\n'), 200);`;
    // a file, not -e: a process run with -e exits whatever its handles say
    const scriptFile = join(file, '..', 'never-stopped.mjs');
    writeFileSync(scriptFile, script);
    const child = spawn(process.execPath, ['--import', 'tsx', scriptFile], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), 8_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done(true);
      });
    });
    if (!exited) child.kill('SIGKILL');
    expect(output).toContain('idle');
    expect(exited).toBe(true);
  });
});
