/**
 * One "node" of the concurrent JOIN test (pg-group-lock.test.ts): its own PostgreSQL connection
 * (application_name magpie-joiner-USER) and group service. Prints "ready", waits for a line on
 * stdin, sends one GROUP join for USER, and prints "joined" or the refusal's error code.
 *
 *   node --import tsx group-joiner.main.ts URL GROUP_ID USER
 */
import { once } from 'node:events';
import { create } from '@bufbuild/protobuf';
import { MagpieError, pb, systemClock } from '../../../../protocol';
import type { Delivery } from '../../../../server/handler-types';
import { createGroupService } from '../../../../server/groups';
import { createSilentLogger } from '../../../../server/logger';
import { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../../server/storage/pg/pg-url';

const [url, groupId, user] = process.argv.slice(2) as [string, string, string];
const location = parsePgUrl(url);
const db = new PgDatabase({ conninfo: location.conninfo, schema: location.schema, applicationName: `magpie-joiner-${user}` });
// nobody is online in this process: the notices stay in the inboxes
const delivery: Delivery = { toUser: () => 0, isOnline: () => false, isOnlineBesides: () => false } as unknown as Delivery;
const groups = createGroupService({ db, clock: systemClock, log: createSilentLogger(), delivery, ensureUser: () => undefined });

process.stdout.write('ready\n');
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
process.stdin.pause();
let answer: string;
try {
  await groups.handlers.GROUP!({
    caller: { sessionId: 's', appId: 'app', userId: user, device: pb.DeviceKind.DESKTOP, deviceId: 'd' },
    body: create(pb.GroupRequestSchema, { op: { case: 'join', value: { groupId } } }),
  });
  answer = 'joined';
} catch (error) {
  answer = error instanceof MagpieError ? `refused ${error.code}` : `failed ${(error as Error).message}`;
}
db.close();
process.stdout.write(`${answer}\n`);
