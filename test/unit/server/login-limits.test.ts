import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../../protocol';
import { createAccountLoginLimiter } from '../../../server/auth/account-login-limiter';
import { createFailureWindow } from '../../../server/auth/failure-window';
import { createLoginLimiter } from '../../../server/auth/login-limiter';
import { formatCompactTimestamp, hmacLoginSignature, md5LoginSignature, parseCompactTimestamp, parseMsTimestamp } from '../../../server/auth/signature';
import { createTokenBucket } from '../../../server/gateway/token-bucket';

describe('failed-login limiter', () => {
  it('blocks a key after the allowed failures until the window passes', () => {
    const clock = new ManualClock(1_000);
    const limiter = createLoginLimiter({ clock, maxFailures: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      limiter.check('ip|bob');
      limiter.recordFailure('ip|bob');
    }
    expect(() => limiter.check('ip|bob')).toThrow(expect.objectContaining({ code: ErrorCode.TOO_MANY_LOGIN_ATTEMPTS }));
    limiter.check('ip|alice');
    clock.advance(60_001);
    limiter.check('ip|bob');
  });

  it('forgets failures after a success', () => {
    const limiter = createLoginLimiter({ clock: new ManualClock(), maxFailures: 2, windowMs: 60_000 });
    limiter.recordFailure('k');
    limiter.recordSuccess('k');
    limiter.recordFailure('k');
    limiter.check('k');
  });
});

describe('token bucket', () => {
  it('allows the burst at once, then the rate', () => {
    const clock = new ManualClock();
    const bucket = createTokenBucket({ clock, ratePerSecond: 10, burst: 3 });
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock.advance(100);
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    clock.advance(10_000);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});

describe('login signatures', () => {
  it('HMAC-SHA256 is lowercase hex of appId, userId and timestamp joined by newlines, keyed by the app token', () => {
    // computed independently: printf 'app1\nbob\n1700000000000' | openssl dgst -sha256 -hmac token
    expect(hmacLoginSignature('app1', 'bob', '1700000000000', 'token')).toBe('e0c0feea5565d33dc57569734d2fc6104887ae15aeb86e1010c186845d1f9adb');
  });

  it('accepts only the canonical ms timestamp', () => {
    expect(parseMsTimestamp('1700000000000')).toBe(1_700_000_000_000);
    expect(parseMsTimestamp('0')).toBe(0);
    for (const bad of ['01700000000000', '+1700000000000', '1700000000000.0', '', ' 1', '1e12']) expect(parseMsTimestamp(bad)).toBeUndefined();
  });

  it("the seed's MD5 form is uppercase hex", () => {
    // printf 'ab20240101000000t' | openssl dgst -md5, uppercased
    expect(md5LoginSignature('a', 'b', '20240101000000', 't')).toBe('478A4FC4800A97FBCC1A42F9F344E41D');
  });

  it('reads and writes yyyyMMddHHmmss at a UTC offset', () => {
    const ms = Date.UTC(2024, 0, 31, 16, 5, 9);
    expect(formatCompactTimestamp(ms, 480)).toBe('20240201000509');
    expect(parseCompactTimestamp('20240201000509', 480)).toBe(ms);
    expect(parseCompactTimestamp('20240231000000', 0)).toBeUndefined();
    expect(parseCompactTimestamp('2024-02-01', 0)).toBeUndefined();
  });
});

describe('per-account failed-login limiter', () => {
  const blocked = expect.objectContaining({ code: ErrorCode.TOO_MANY_LOGIN_ATTEMPTS });

  it('blocks an account that failed from many addresses, for new addresses only, until the window passes', () => {
    const clock = new ManualClock(1_000);
    const limiter = createAccountLoginLimiter({ clock, maxFailures: 3, windowMs: 60_000 });
    limiter.succeeded('app|bob', 'home');
    // a guesser from three addresses
    for (const address of ['a1', 'a2', 'a3']) {
      limiter.check('app|bob', address);
      limiter.failed('app|bob');
    }
    expect(() => limiter.check('app|bob', 'a4')).toThrow(blocked);
    // the owner's address still gets in, and another account is untouched
    limiter.check('app|bob', 'home');
    limiter.check('app|alice', 'a4');
    clock.advance(60_001);
    limiter.check('app|bob', 'a4');
  });

  it('ends the lock on a successful login from anywhere', () => {
    const limiter = createAccountLoginLimiter({ clock: new ManualClock(5_000), maxFailures: 2, windowMs: 60_000 });
    limiter.failed('k');
    limiter.failed('k');
    expect(() => limiter.check('k', 'new-place')).toThrow(blocked);
    // e.g. a sign-in with the app server's signature from the new place
    limiter.succeeded('k', 'new-place');
    limiter.check('k', 'other-place');
  });
});

describe('failure window', () => {
  it('never forgets a blocked key to make room, however many new keys fail', () => {
    const clock = new ManualClock(1_000);
    const window = createFailureWindow({ clock, windowMs: 60_000, maxKeys: 100, blockAt: 3 });
    for (let i = 0; i < 3; i++) window.add('victim');
    expect(window.blocked('victim')).toBe(true);
    // the flush: far more junk keys than the window keeps, each failing once
    for (let i = 0; i < 1_000; i++) window.add(`junk-${i}`);
    expect(window.blocked('victim')).toBe(true);
    expect(window.size).toBeLessThanOrEqual(101);
    clock.advance(60_001);
    expect(window.blocked('victim')).toBe(false);
  });

  it('stops remembering new keys, not blocked ones, once blocked keys alone fill it', () => {
    const window = createFailureWindow({ clock: new ManualClock(1_000), windowMs: 60_000, maxKeys: 10, blockAt: 1 });
    for (let i = 0; i < 100; i++) window.add(`k${i}`);
    expect(window.size).toBe(40);
    expect(window.blocked('k0')).toBe(true);
    expect(window.blocked('k99')).toBe(false);
  });
});
