/**
 * One "node" of the concurrency test (pg-inbox-concurrency.test.ts): its own PostgreSQL
 * connection, write batch and inbox store, appending notices to the same users as the other
 * writer, each write to the users in a shuffled order so the two batches lock heads in opposite
 * orders and deadlock now and then. Prints {"writes":N,"conflicts":N,"appended":{user:count}}.
 *
 *   node --import tsx inbox-writer.main.ts URL START_AT_MS BATCHES WRITES_PER_BATCH USER...
 *
 * Both writers begin at START_AT_MS (wall clock), so their batches overlap.
 */
import { create } from '@bufbuild/protobuf';
import { pb } from '../../../../protocol';
import { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../../server/storage/pg/pg-url';
import { createWriteBatch } from '../../../../server/storage/write-batch';
import { createInboxStore } from '../../../../server/sync/inbox';

const [url, startAtText, batchesText, perBatchText, ...users] = process.argv.slice(2) as [string, string, string, string, ...string[]];
const location = parsePgUrl(url);
const db = new PgDatabase({ conninfo: location.conninfo, schema: location.schema });
const inbox = createInboxStore(db);
let conflicts = 0;
const turnEnds: (() => void)[] = [];
const batch = createWriteBatch(db, {
  schedule: (run) => turnEnds.push(run),
  hooks: [inbox.batchHooks],
  onConflict: (error, attempt) => {
    conflicts++;
    if (process.env.WRITER_DEBUG) process.stderr.write(`conflict attempt ${attempt}: ${(error as Error).message.split('\n')[0]}\n`);
  },
});
const appended = new Map<string, number>();
const shuffled = (list: readonly string[]) => [...list].sort(() => Math.random() - 0.5);

await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));
let writes = 0;
for (let b = 0; b < Number(batchesText); b++) {
  const done: Promise<unknown>[] = [];
  for (let w = 0; w < Number(perBatchText); w++) {
    const targets = shuffled(users);
    done.push(
      batch.run(
        () => inbox.append('app', targets, { case: 'notice', value: create(pb.NoticeSchema, { text: `w${b}.${w}` }) }),
        (rows) => {
          writes++;
          for (const row of rows) appended.set(row.userId, (appended.get(row.userId) ?? 0) + 1);
        },
      ),
    );
  }
  turnEnds.splice(0).forEach((run) => run());
  await Promise.all(done);
}
db.close();
process.stdout.write(`${JSON.stringify({ writes, conflicts, appended: Object.fromEntries(appended) })}\n`);
