import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createDispatch } from '../../../../main/api/dispatch';
import { ApiErrorCode } from '../../../../preload/api';
import { ErrorCode } from '../../../../protocol/errors';

describe("the UI contract's own error codes", () => {
  const dispatch = createDispatch({ 'settings.get': () => ({}) as never }, () => undefined);

  it('answers an unknown method with UNKNOWN_METHOD, not a wire code', async () => {
    expect(await dispatch('no.such.method', {})).toEqual({ ok: false, error: { code: ApiErrorCode.UNKNOWN_METHOD, message: expect.any(String) } });
  });

  it('answers arguments that break the schema with BAD_ARGUMENT', async () => {
    expect(await dispatch('conversation.markRead', { conversation: 42 })).toEqual({ ok: false, error: { code: ApiErrorCode.BAD_ARGUMENT, message: expect.stringContaining('conversation') } });
  });

  it('answers a method this shell does not serve with METHOD_UNAVAILABLE', async () => {
    expect(await dispatch('profile.me', {})).toEqual({ ok: false, error: { code: ApiErrorCode.METHOD_UNAVAILABLE, message: expect.any(String) } });
  });

  it('names the same numbers as the one code table, in the client range for its own', () => {
    for (const [name, code] of Object.entries(ApiErrorCode)) expect(ErrorCode[name as keyof typeof ErrorCode]).toBe(code);
    for (const code of [ApiErrorCode.UNKNOWN_METHOD, ApiErrorCode.BAD_ARGUMENT, ApiErrorCode.METHOD_UNAVAILABLE, ApiErrorCode.UNKNOWN_SENDER]) {
      expect(Math.floor(code / 1000)).toBe(171);
    }
  });

  it("answers a local store that cannot be written (a full disk) with LOCAL_STORE_UNAVAILABLE, not the server's INTERNAL", async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    // the page limit fails writes as a full disk does: SQLITE_FULL
    db.pragma('max_page_count = 3');
    const unexpected: unknown[] = [];
    const full = createDispatch({ 'settings.get': () => db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000)) as never }, (error) => unexpected.push(error));
    expect(await full('settings.get', {})).toEqual({ ok: false, error: { code: ErrorCode.LOCAL_STORE_UNAVAILABLE, message: expect.stringMatching(/cannot be written.*free some space/) } });
    expect(unexpected).toEqual([]);
    db.close();
  });
});
