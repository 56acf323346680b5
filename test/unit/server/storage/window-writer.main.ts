/**
 * A child for commit-window.test.ts: opens the data folder as the server does (commit window of
 * argv[3] ms), runs argv[4] write transactions, each adding one row and bumping a counter, says
 * how many it did on stdout, and kills itself with SIGKILL: no close, no commit of the last window.
 */
import { openDatabase } from '../../../../server/storage/database';

const [dataDir, windowMs, count] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const db = openDatabase(dataDir, { busyTimeoutMs: 1000, server: { commitWindow: { windowMs, gapMs: 0, maxLogBytes: 1 << 30 } } });
db.exec('CREATE TABLE IF NOT EXISTS rows (n INTEGER PRIMARY KEY, body BLOB, note TEXT); CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL); INSERT OR IGNORE INTO counter VALUES (1, 0)');
const insert = db.prepare('INSERT INTO rows (n, body, note) VALUES (?, ?, ?)');
const bump = db.prepare('UPDATE counter SET value = value + 1 WHERE id = 1');
const start = db.prepare<[], number>('SELECT COALESCE(MAX(n), 0) FROM rows').pluck().get()!;
const write = db.transaction((n: number) => {
  // one array for all parameters, as the multi-row INSERTs pass them
  insert.run([n, Buffer.from([n & 255, 1, 2]), `row ${n} 鹊`]);
  bump.run();
});
for (let n = start + 1; n <= start + count; n++) write(n);
process.stdout.write(JSON.stringify({ wrote: count, last: start + count }) + '\n', () => process.kill(process.pid, 'SIGKILL'));
