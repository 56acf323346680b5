import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../../protocol';
import { createAccountLoginLimiter } from '../../../server/auth/account-login-limiter';
import { createLoginLimiter } from '../../../server/auth/login-limiter';
import { formatCompactTimestamp, hmacLoginSignature, md5LoginSignature, parseCompactTimestamp } from '../../../server/auth/signature';
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
  it('HMAC-SHA256 is lowercase hex of appId + userId + timestamp keyed by the app token', () => {
    // computed independently: printf 'app1bob1700000000000' | openssl dgst -sha256 -hmac token
    expect(hmacLoginSignature('app1', 'bob', '1700000000000', 'token')).toBe(
      'b9e1ab3c63dedf03fe82531204f1890c840ba0c2875118b8cb41a26b6fb6997f',
    );
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
    limiter.begin('app|bob', 'home').succeeded();
    // a guesser from three addresses: each attempt fails (never succeeded)
    for (const address of ['a1', 'a2', 'a3']) limiter.begin('app|bob', address);
    expect(() => limiter.begin('app|bob', 'a4')).toThrow(blocked);
    // the owner's address still gets in, and another account is untouched
    limiter.begin('app|bob', 'home').succeeded();
    limiter.begin('app|alice', 'a4');
    clock.advance(60_001);
    limiter.begin('app|bob', 'a4');
  });

  it('counts a login in flight as failed, and a success takes back only its own count', () => {
    const limiter = createAccountLoginLimiter({ clock: new ManualClock(5_000), maxFailures: 2, windowMs: 60_000 });
    const first = limiter.begin('k', 'x');
    limiter.begin('k', 'y');
    // two in flight at once, at the same millisecond: a third is refused before either ends
    expect(() => limiter.begin('k', 'z')).toThrow(blocked);
    first.succeeded();
    limiter.begin('k', 'z');
    expect(() => limiter.begin('k', 'w')).toThrow(blocked);
  });
});
