/**
 * One "node" of the two-node SEND test (pg-send-lock-order.test.ts): its own PostgreSQL
 * connection, write batch, message store and inbox store, storing one-to-one messages from FROM to
 * TO as a SEND does (the sender's seq first, then the recipient's row, then the sender's own copy).
 * Prints "ready" once connected, waits for a line on stdin (both writers start at that signal), then
 * prints {"writes":N,"conflicts":N,"deadlocks":N,"slowestMs":N,"senderSeqs":[…]}
 * (conflicts: every rerun of a batch, deadlocks or a message id the other node took at the same moment).
 *
 *   node --import tsx send-writer.main.ts URL FROM TO BATCHES WRITES_PER_BATCH
 */
import { once } from 'node:events';
import { create } from '@bufbuild/protobuf';
import { pb } from '../../../../protocol';
import { createMessageStore } from '../../../../server/chat/message-store';
import { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../../server/storage/pg/pg-url';
import { createWriteBatch } from '../../../../server/storage/write-batch';
import { createInboxStore } from '../../../../server/sync/inbox';

const [url, from, to, batchesText, perBatchText] = process.argv.slice(2) as [string, string, string, string, string];
const location = parsePgUrl(url);
const db = new PgDatabase({ conninfo: location.conninfo, schema: location.schema });
const inbox = createInboxStore(db);
const messages = createMessageStore(db, { settledSeq: inbox.settledSeq });
let conflicts = 0;
let deadlocks = 0;
let slowestMs = 0;
const turnEnds: (() => void)[] = [];
const batch = createWriteBatch(db, {
  schedule: (run) => turnEnds.push(run),
  hooks: [messages.batchHooks, inbox.batchHooks],
  onConflict: (error) => {
    conflicts++;
    if ((error as { sqlState?: string }).sqlState === '40P01') deadlocks++;
  },
  onCommit: (seconds) => (slowestMs = Math.max(slowestMs, seconds * 1000)),
});

process.stdout.write('ready\n');
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
process.stdin.pause();

let writes = 0;
const senderSeqs: number[] = [];
for (let b = 0; b < Number(batchesText); b++) {
  const done: Promise<unknown>[] = [];
  for (let w = 0; w < Number(perBatchText); w++) {
    done.push(
      batch.run(
        () => {
          const senderSeq = inbox.reserveSeq('app', from);
          const msgId = messages.insert({
            appId: 'app', sender: from, target: to, isGroup: false, type: 1, content: new Uint8Array([b, w]),
            clientMsgId: new TextEncoder().encode(`${from}-${b}-${w}`), timeMs: Date.now(), senderSeq, burn: false,
          });
          const message = create(pb.MessageSchema, { msgId: BigInt(msgId), from, to });
          inbox.append('app', [to], { case: 'message', message, own: false });
          return inbox.appendAt('app', from, senderSeq, { case: 'message', message, own: true });
        },
        (own) => {
          writes++;
          senderSeqs.push(Number(own.entry.seq));
        },
      ),
    );
  }
  turnEnds.splice(0).forEach((run) => run());
  await Promise.all(done);
}
db.close();
process.stdout.write(`${JSON.stringify({ writes, conflicts, deadlocks, slowestMs, senderSeqs })}\n`);
