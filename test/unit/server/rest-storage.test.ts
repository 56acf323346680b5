import type { SqlDatabase } from '../../../server/storage/sql-database';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, type MagpieError } from '../../../protocol';
import { createIdentity } from '../../../server/identity/identity';
import { createServerKey } from '../../../server/identity/server-key';
import { createUserStore } from '../../../server/identity/users';
import { createRestAuth, restAuthorization, restSignature } from '../../../server/rest/rest-auth';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import { formatCompactTimestamp } from '../../../server/auth/signature';

describe('REST storage (migration 4)', () => {
  let dir: string;
  let db: SqlDatabase;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-rest-storage-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000 });
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('walks an index for every history and push query', () => {
    runMigrations(db, migrations);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join('\n');
    const window = "app_id = 'a' AND msg_id > 0 AND time_ms >= 0 AND time_ms <= 9";
    expect(plan(`SELECT * FROM messages WHERE target = 'b' AND sender = 'c' AND is_group = 0 AND ${window} ORDER BY msg_id LIMIT 10`)).toMatch(
      /USING INDEX messages_by_(target|sender|client_id)/,
    );
    expect(plan(`SELECT * FROM messages WHERE target = 'g1' AND is_group = 1 AND ${window} ORDER BY msg_id LIMIT 10`)).toMatch(/USING INDEX messages_by_target/);
    expect(plan(`SELECT * FROM messages WHERE sender = 'c' AND ${window} ORDER BY msg_id LIMIT 10`)).toMatch(/USING INDEX messages_by_(sender|client_id)/);
    expect(plan('SELECT * FROM push_pending WHERE count > 0 AND due_ms <= 5 ORDER BY due_ms LIMIT 5')).toMatch(/USING INDEX push_pending_due/);
    // the same, past the apps whose webhooks hold all their slots (pushConcurrencyPerApp)
    const pastApps = `app_id NOT IN (SELECT value FROM json_each('["a"]'))`;
    expect(plan(`SELECT * FROM push_pending WHERE count > 0 AND due_ms <= 5 AND ${pastApps} ORDER BY due_ms LIMIT 5`)).toMatch(/USING INDEX push_pending_due/);
    expect(plan(`SELECT app_id, user_id, due_ms AS due FROM push_pending WHERE count > 0 AND ${pastApps} ORDER BY due_ms LIMIT 5`)).toMatch(
      /USING INDEX push_pending_due/,
    );
    // the push's check of a 1:1 mute, once per offline message (migration 8)
    expect(plan("SELECT 1 FROM conversation_mutes WHERE app_id = 'a' AND user_id = 'b' AND peer = 'c'")).toMatch(/USING PRIMARY KEY/);
  });

  it('keeps the auth token sealed, not in plain text, and refuses an account from before sealing until it rotates', () => {
    runMigrations(db, migrations);
    const clock = new ManualClock(Date.UTC(2026, 10, 29, 4, 0, 0));
    const serverKey = createServerKey(Buffer.alloc(32, 7));
    const users = createUserStore({ db, clock });
    const identity = createIdentity({ db, clock, serverKey, users, scryptCost: 1024 });
    const account = identity.createAccount();
    const stored = JSON.stringify(db.prepare('SELECT * FROM accounts').all());
    expect(stored).not.toContain(account.authToken);
    expect(identity.authTokenOf(account.accountSid)).toBe(account.authToken);

    const auth = createRestAuth({ identity, clock, signatureWindowMs: 300_000, utcOffsetMinutes: 480, maxRefusals: 100, refusalWindowMs: 60_000 });
    const ts = formatCompactTimestamp(clock.now(), 480);
    const request = (token: string, n: number) => ({
      accountSid: account.accountSid,
      sig: restSignature(account.accountSid, token, ts),
      authorization: restAuthorization(account.accountSid, ts),
      method: 'GET',
      url: `/x?n=${n}`,
      body: undefined,
      remoteAddress: '127.0.0.1',
    });
    expect(() => auth.verify(request(account.authToken, 1))).not.toThrow();

    db.prepare('UPDATE accounts SET auth_token_sealed = NULL').run();
    expect(() => auth.verify(request(account.authToken, 2))).toThrow(expect.objectContaining({ code: ErrorCode.AUTH_TOKEN_UNAVAILABLE }) as MagpieError);
    const rotated = identity.rotateAuthToken(account.accountSid);
    expect(() => auth.verify(request(rotated.authToken, 3))).not.toThrow();
    expect(() => auth.verify(request(account.authToken, 4))).toThrow(expect.objectContaining({ code: ErrorCode.REST_AUTH_FAILED }) as MagpieError);
  });
});
