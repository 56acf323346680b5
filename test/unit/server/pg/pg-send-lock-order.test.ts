import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type PgDatabase } from '../../../../server/storage/pg/pg-database';
import { migrateForSuite, pgTestSchema } from './pg-test-schema';

const WRITER = new URL('./send-writer.main.ts', import.meta.url).pathname;
const TIMELINE_WRITER = new URL('./timeline-writer.main.ts', import.meta.url).pathname;

interface Report {
  writes: number;
  conflicts: number;
  deadlocks: number;
  slowestMs: number;
  senderSeqs: number[];
}

function startWriter(url: string, from: string, to: string, batches: number, perBatch: number) {
  return startProcess([WRITER, url, from, to, String(batches), String(perBatch)], from);
}

function startProcess(args: readonly string[], from: string): { child: ChildProcessWithoutNullStreams; ready: Promise<void>; report: Promise<Report> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args]);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const ready = new Promise<void>((resolve) => {
    const check = () => (out.startsWith('ready\n') ? resolve() : undefined);
    child.stdout.on('data', check);
  });
  const report = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`writer ${from} exited ${String(code)}: ${err}`);
    return JSON.parse(out.slice('ready\n'.length)) as Report;
  });
  return { child, ready, report };
}

/**
 * Two processes (two nodes) store SENDs at once, alice→bob on one and bob→alice on the other: each
 * SEND takes its sender's seq first and then the recipient's, so heads locked as they are first
 * used would be locked in opposite orders and deadlock (found only after deadlock_timeout, a
 * second, with both event loops waiting). Every head is locked at the batch's flush in key order:
 * no batch waits a second, none deadlocks, and both inboxes hold gap-free unique seqs.
 */
describe('SENDs both ways on two nodes of one PostgreSQL database', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;
  migrateForSuite(schema, (opened) => (db = opened));

  it('never deadlock, and give gap-free unique seqs', { timeout: 120_000 }, async () => {
    const batches = 150;
    const perBatch = 4;
    const writers = [startWriter(schema.url, 'alice', 'bob', batches, perBatch), startWriter(schema.url, 'bob', 'alice', batches, perBatch)];
    await Promise.all(writers.map((w) => w.ready));
    // the signal both wait for: their batches overlap from the first
    for (const w of writers) w.child.stdin.end('go\n');
    const [alice, bob] = await Promise.all(writers.map((w) => w.report));
    console.log(`two-way SENDs: ${[alice!, bob!].map((r) => `${r.writes} writes, ${r.conflicts} reruns (${r.deadlocks} deadlocks), slowest batch ${r.slowestMs.toFixed(1)} ms`).join('; ')}`);
    for (const report of [alice!, bob!]) {
      expect(report.writes).toBe(batches * perBatch);
      expect(report.deadlocks).toBe(0);
      // the other reruns: a message id both nodes picked at the same moment (rare)
      expect(report.conflicts).toBeLessThanOrEqual(40);
      expect(report.slowestMs).toBeLessThan(1000);
    }
    const total = 2 * batches * perBatch;
    for (const user of ['alice', 'bob']) {
      const seqs = db.prepare<[string], number>("SELECT seq FROM inbox WHERE app_id = 'app' AND user_id = ? ORDER BY seq").pluck().all(user);
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
    // the SENT seq each writer was given is its own copy's row, and the message row says the same
    for (const [sender, report] of [['alice', alice!], ['bob', bob!]] as const) {
      const own = db.prepare<[string], number>("SELECT seq FROM inbox WHERE app_id = 'app' AND user_id = ? AND own = 1 ORDER BY seq").pluck().all(sender);
      expect([...report.senderSeqs].sort((a, b) => a - b)).toEqual(own);
      const rowSeqs = db.prepare<[string], number>("SELECT sender_seq FROM messages WHERE app_id = 'app' AND sender = ? ORDER BY sender_seq").pluck().all(sender);
      expect(rowSeqs).toEqual(own);
    }
  });

  it('never deadlock on two group timelines appended in opposite orders', { timeout: 120_000 }, async () => {
    for (const group of ['g1', 'g2']) db.prepare("INSERT INTO group_timelines (app_id, group_id, max_seq, created_ms) VALUES ('app', ?, 0, 0)").run(group);
    const batches = 100;
    const perBatch = 3;
    const writers = [
      startProcess([TIMELINE_WRITER, schema.url, String(batches), String(perBatch), 'g1', 'g2'], 'g1 first'),
      startProcess([TIMELINE_WRITER, schema.url, String(batches), String(perBatch), 'g2', 'g1'], 'g2 first'),
    ];
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.child.stdin.end('go\n');
    const reports = await Promise.all(writers.map((w) => w.report));
    console.log(`two timelines: ${reports.map((r) => `${r.writes} writes, ${r.conflicts} reruns (${r.deadlocks} deadlocks), slowest batch ${r.slowestMs.toFixed(1)} ms`).join('; ')}`);
    for (const report of reports) {
      expect(report.writes).toBe(batches * perBatch);
      expect(report.deadlocks).toBe(0);
      expect(report.slowestMs).toBeLessThan(1000);
    }
    for (const group of ['g1', 'g2']) {
      const seqs = db.prepare<[string], number>("SELECT seq FROM group_timeline WHERE app_id = 'app' AND group_id = ? ORDER BY seq").pluck().all(group);
      expect(seqs).toEqual(Array.from({ length: 2 * batches * perBatch }, (_, i) => i + 1));
    }
  });
});
