import { create } from '@bufbuild/protobuf';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, pb } from '../../../protocol';
import { createIdentity } from '../../../server/identity/identity';
import { createServerKey } from '../../../server/identity/server-key';
import { createUserStore } from '../../../server/identity/users';
import { createPushService, type PushService } from '../../../server/push/push-service';
import { createPushSettings } from '../../../server/push/push-settings';
import { dropTestSchema, openTestStore } from '../../support/test-database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import { DEFAULT_TUNING } from '../../../server/tuning';
import { waitFor } from '../rest/rest-fixture';
import { startPushReceiver, type PushReceiver } from './push-receiver';

/** The push service on a real database and a real receiver, its time moved by hand. */
describe('offline push retries', () => {
  let dir: string;
  let db: SqlDatabase;
  let receiver: PushReceiver;
  let push: PushService;
  const clock = new ManualClock(1_000_000);
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-push-backoff-'));
    db = openTestStore(dir);
    runMigrations(db, migrations);
    receiver = await startPushReceiver();
  });
  afterEach(async () => {
    await push.stop();
    db.close();
    dropTestSchema(dir);
    await receiver.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('waits the base delay, then doubles it, after each failed call; the URL must be http(s)', async () => {
    const serverKey = createServerKey(Buffer.alloc(32, 1));
    const users = createUserStore({ db, clock });
    const identity = createIdentity({ db, clock, serverKey, users, scryptCost: 1024 });
    const appId = identity.createApp(identity.createAccount().accountSid, 'a').appId;
    const settings = createPushSettings(db, serverKey);
    expect(() => settings.set(appId, { url: 'file:///etc/passwd' })).toThrow(expect.objectContaining({ code: ErrorCode.PUSH_URL_INVALID }));
    settings.set(appId, { url: receiver.url });
    const tuning = { ...DEFAULT_TUNING, pushDelayMs: 1_000, pushRetryBaseMs: 10_000, pushRetryMaxMs: 25_000 };
    push = createPushService({ db, clock, log: pino({ level: 'silent' }), users, settings, isOnline: () => false, tuning });
    push.start();

    const message = create(pb.MessageSchema, { msgId: 1n, from: 'alice', text: 'hi', type: pb.MessageType.TEXT });
    push.offline(appId, 'bob', create(pb.EntrySchema, { seq: 1n, item: { case: 'message', value: message } }));
    await tick();
    expect(push.depth()).toBe(1);
    receiver.failNext(500, 503, 500);

    const calls = () => receiver.callsFor('bob').length;
    const expectCallsAfter = async (advanceMs: number, expected: number) => {
      clock.advance(advanceMs);
      if (expected > calls()) await waitFor(() => calls() === expected, 3_000, `${expected} calls`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(calls()).toBe(expected);
    };
    await expectCallsAfter(999, 0);
    await expectCallsAfter(1, 1);
    await expectCallsAfter(9_999, 1);
    await expectCallsAfter(1, 2);
    await expectCallsAfter(19_999, 2);
    await expectCallsAfter(1, 3);
    // capped at pushRetryMaxMs
    await expectCallsAfter(24_999, 3);
    await expectCallsAfter(1, 4);
    expect(receiver.callsFor('bob').map((c) => c.status)).toEqual([500, 503, 500, 200]);
    expect(push.depth()).toBe(0);
  });

  it('says a failing webhook at warn at once, one line per app a minute, counting the failures between', async () => {
    const serverKey = createServerKey(Buffer.alloc(32, 1));
    const users = createUserStore({ db, clock });
    const identity = createIdentity({ db, clock, serverKey, users, scryptCost: 1024 });
    const appId = identity.createApp(identity.createAccount().accountSid, 'a').appId;
    const settings = createPushSettings(db, serverKey);
    settings.set(appId, { url: receiver.url });
    const lines: { level: number; msg: string; appId?: string; reason?: string; failuresNotLogged?: number }[] = [];
    // debug too: each failure not said at warn is a debug line, which the test waits for
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const tuning = { ...DEFAULT_TUNING, pushDelayMs: 1_000, pushRetryBaseMs: 30_000, pushRetryMaxMs: 30_000 };
    push = createPushService({ db, clock, log, users, settings, isOnline: () => false, tuning });
    push.start();
    const warnings = () => lines.filter((l) => l.level === 40);
    const quietFailures = () => lines.filter((l) => l.level === 20 && l.msg.startsWith('offline push failed')).length;

    for (const [i, user] of ['bob', 'carol', 'dave'].entries()) {
      const message = create(pb.MessageSchema, { msgId: BigInt(i + 1), from: 'alice', text: 'hi', type: pb.MessageType.TEXT });
      push.offline(appId, user, create(pb.EntrySchema, { seq: 1n, item: { case: 'message', value: message } }));
    }
    await tick();
    receiver.failNext(500, 500, 500, 502, 502, 502);
    clock.advance(1_000);
    await waitFor(() => receiver.calls.length === 3, 3_000, 'three failed calls');
    await waitFor(() => warnings().length === 1 && quietFailures() === 2, 3_000, 'a warning and two quiet failures');
    expect(warnings()).toEqual([expect.objectContaining({ appId, reason: 'the push endpoint answered HTTP 500', failuresNotLogged: 0 })]);
    // the retries, 30 s later, still within the minute: no new line
    clock.advance(30_000);
    // each failure handled (and its retry scheduled) before the clock moves on
    await waitFor(() => quietFailures() === 5, 3_000, 'three more failures, not said at warn');
    expect(warnings()).toHaveLength(1);
    // a minute after the first line, the next failure is said with the count of those not said
    receiver.failNext(503);
    clock.advance(30_000);
    await waitFor(() => warnings().length === 2, 3_000, 'a second warning');
    expect(warnings()[1]).toMatchObject({ appId, reason: 'the push endpoint answered HTTP 503', failuresNotLogged: 5 });
  });
});
