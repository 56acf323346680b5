/**
 * One real client in its own process, for scenarios that kill it or run it in another network
 * namespace. It logs in, writes the numbered texts it still owes (continuing after the highest one
 * its store already holds, so a restart after a kill neither skips nor repeats one), and prints a
 * progress line every few ms until everything is sent and everything expected is stored:
 *
 *   {"progress":{"written":W,"sent":S,"received":R}}   ...   {"done":true}
 *
 * Usage: node --import tsx client-process.main.ts '<ClientProcessSpec as JSON>'
 */
import pino from 'pino';
import { createChatService } from '../../../main/chat/chat-service';
import { loginRequest } from '../../../main/client/login-request';
import { MagpieClient } from '../../../main/client/magpie-client';
import { fastTestTuning } from '../../../main/engine/tuning';
import { messageText } from './delivery-count';
import type { ClientProcessSpec } from './client-process';

const PROGRESS_EVERY_MS = 25;

const spec = JSON.parse(process.argv[2]!) as ClientProcessSpec;
const login = loginRequest(spec.appId, { type: 'appToken', user: spec.user, token: spec.appToken }, { deviceId: `reliability-${spec.user}` });
const client = new MagpieClient({
  profileDir: spec.profileDir,
  servers: spec.servers,
  login: { ...login, appId: spec.appId, user: spec.user },
  tuning: { ...fastTestTuning, ...spec.tuning },
  log: pino({ level: 'silent' }),
});
const count = (sql: string, conversation: string): number => (client.store.db.prepare(sql).get(conversation) as { n: number }).n;
const writtenSoFar = (): number => {
  if (!spec.sendTo) return 0;
  const rows = client.store.db.prepare('SELECT text FROM messages WHERE conversation = ? AND outgoing = 1').all(spec.sendTo) as { text: string }[];
  let highest = -1;
  for (const { text } of rows) highest = Math.max(highest, Number(text.slice(`${spec.user} #`.length)));
  return highest + 1;
};
let written = writtenSoFar();
const progress = () => ({
  written,
  sent: spec.sendTo ? count(`SELECT count(*) AS n FROM messages WHERE conversation = ? AND outgoing = 1 AND state IN ('sent', 'read')`, spec.sendTo) : 0,
  received: spec.expectFrom ? count('SELECT count(*) AS n FROM messages WHERE conversation = ? AND outgoing = 0', spec.expectFrom) : 0,
});
const finished = (now: ReturnType<typeof progress>) => now.sent >= (spec.sendCount ?? 0) && now.received >= (spec.expectCount ?? 0);

const reporter = setInterval(() => {
  const now = progress();
  process.stdout.write(`${JSON.stringify({ progress: now })}\n`);
  if (written >= (spec.sendCount ?? 0) && finished(now)) {
    clearInterval(reporter);
    client.close();
    process.stdout.write(`${JSON.stringify({ done: true })}\n`);
    // stdout is a pipe, written synchronously on Linux: nothing is lost by leaving now
    process.exit(0);
  }
}, PROGRESS_EVERY_MS);

await client.start();
if (spec.sendTo) {
  const chat = createChatService(client);
  while (written < (spec.sendCount ?? 0)) {
    await chat.send(spec.sendTo, { kind: 'text', text: messageText(spec.user, written) });
    written += 1;
    // a kill may land anywhere: between writes, inside one, while frames go out
    if (written % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}
