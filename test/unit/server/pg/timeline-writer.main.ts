/**
 * One "node" of the two-timeline test (pg-send-lock-order.test.ts): its own connection, write
 * batch and timeline store; each write appends to the group timelines named, in the order named
 * (the other writer names them the other way round). Prints "ready", waits for a line on stdin,
 * then prints {"writes":N,"conflicts":N,"deadlocks":N,"slowestMs":N}.
 *
 *   node --import tsx timeline-writer.main.ts URL BATCHES WRITES_PER_BATCH GROUP...
 */
import { once } from 'node:events';
import { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../../server/storage/pg/pg-url';
import { createWriteBatch } from '../../../../server/storage/write-batch';
import { createTimelineStore } from '../../../../server/timeline/timeline-store';

const [url, batchesText, perBatchText, ...groups] = process.argv.slice(2) as [string, string, string, ...string[]];
const location = parsePgUrl(url);
const db = new PgDatabase({ conninfo: location.conninfo, schema: location.schema });
const timelines = createTimelineStore(db);
let conflicts = 0;
let deadlocks = 0;
let slowestMs = 0;
const turnEnds: (() => void)[] = [];
const batch = createWriteBatch(db, {
  schedule: (run) => turnEnds.push(run),
  hooks: [timelines.batchHooks],
  onConflict: (error) => {
    conflicts++;
    // a real deadlock waited for deadlock_timeout; the lock-order rerun says so in its message
    if ((error as Error).message.includes('deadlock')) deadlocks++;
  },
  onCommit: (seconds) => (slowestMs = Math.max(slowestMs, seconds * 1000)),
});

process.stdout.write('ready\n');
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
process.stdin.pause();
let writes = 0;
for (let b = 0; b < Number(batchesText); b++) {
  const done: Promise<unknown>[] = [];
  for (let w = 0; w < Number(perBatchText); w++) {
    done.push(batch.run(() => groups.map((group) => timelines.appendMessage('app', group, 0)), () => writes++));
  }
  turnEnds.splice(0).forEach((run) => run());
  await Promise.all(done);
}
db.close();
process.stdout.write(`${JSON.stringify({ writes, conflicts, deadlocks, slowestMs })}\n`);
