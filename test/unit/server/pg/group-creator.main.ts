/**
 * One "node" of the concurrent create test (pg-group-create-race.test.ts): its own PostgreSQL
 * connection (application_name magpie-creator-LABEL) and group service. Prints "ready", waits for a
 * line on stdin, sends one GROUP create as alice with the request id given (hex), and prints the
 * group id it was answered, or the refusal's error code.
 *
 *   node --import tsx group-creator.main.ts URL LABEL REQUEST_ID_HEX
 */
import { once } from 'node:events';
import { create } from '@bufbuild/protobuf';
import { decodeFrame, DEFAULT_WIRE_LIMITS, MagpieError, pb, systemClock, type Frame } from '../../../../protocol';
import type { Delivery } from '../../../../server/handler-types';
import { createGroupService } from '../../../../server/groups';
import { createSilentLogger } from '../../../../server/logger';
import { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../../server/storage/pg/pg-url';

const [url, label, requestIdHex] = process.argv.slice(2) as [string, string, string];
const location = parsePgUrl(url);
const db = new PgDatabase({ conninfo: location.conninfo, schema: location.schema, applicationName: `magpie-creator-${label}` });
// nobody is online in this process: the notices stay in the inboxes
const delivery: Delivery = { toUser: () => 0, isOnline: () => false, isOnlineBesides: () => false } as unknown as Delivery;
const groups = createGroupService({ db, clock: systemClock, log: createSilentLogger(), delivery, ensureUser: () => undefined });

process.stdout.write('ready\n');
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
process.stdin.pause();
let answer: string;
try {
  const frame = (await groups.handlers.GROUP!({
    caller: { sessionId: `s-${label}`, appId: 'app', userId: 'alice', device: pb.DeviceKind.DESKTOP, deviceId: label },
    body: create(pb.GroupRequestSchema, {
      op: { case: 'create', value: { name: 'once', type: pb.GroupType.NORMAL, members: ['bob'], requestId: Buffer.from(requestIdHex, 'hex') } },
    }),
  })) as Frame;
  const decoded = decodeFrame(frame, DEFAULT_WIRE_LIMITS);
  const result = decoded.name === 'GROUP_RESULT' ? decoded.body.result : undefined;
  answer = result?.case === 'group' ? result.value.groupId : `unexpected ${decoded.name}`;
} catch (error) {
  answer = error instanceof MagpieError ? `refused ${error.code}` : `failed ${(error as Error).message}`;
}
db.close();
process.stdout.write(`${answer}\n`);
