import { describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError } from '../../../../protocol';
import { isLoopbackHost, parseServerAddress, parseServerAddressList } from '../../../../main/engine/address-book';
import { raceConnects } from '../../../../main/engine/address-racer';
import { isCertificateError } from '../../../../main/engine/transport';
import { ManualClock } from '../../../../protocol';

describe('which transport an address gets', () => {
  it('is TLS for any address off this machine, plain on loopback', () => {
    const of = (text: string) => parseServerAddress(text).transport;
    expect(of('im.example.com:8884')).toBe('tls');
    expect(of('198.51.100.7:8884')).toBe('tls');
    expect(of('[2001:db8::1]:8884')).toBe('tls');
    expect(of('10.0.0.2:8883')).toBe('tls');
    expect(of('127.0.0.1:8883')).toBe('tcp');
    expect(of('127.9.8.7:8883')).toBe('tcp');
    expect(of('[::1]:8883')).toBe('tcp');
    expect(of('localhost:8883')).toBe('tcp');
  });

  it('goes plain off this machine only when asked: tcp:// or --insecure-plain', () => {
    expect(parseServerAddress('tcp://im.example.com:8883')).toEqual({ key: 'im.example.com:8883', host: 'im.example.com', port: 8883, transport: 'tcp' });
    expect(parseServerAddress('TCP://198.51.100.7:8883').transport).toBe('tcp');
    expect(parseServerAddress('198.51.100.7:8883', { insecurePlain: true }).transport).toBe('tcp');
    // an explicit tls:// wins over the policy, and makes loopback TLS too
    expect(parseServerAddress('tls://198.51.100.7:8884', { insecurePlain: true }).transport).toBe('tls');
    expect(parseServerAddress('tls://127.0.0.1:8884')).toEqual({ key: '127.0.0.1:8884', host: '127.0.0.1', port: 8884, transport: 'tls' });
    expect(parseServerAddressList('tls://[::1]:1, 192.0.2.1:2').map((a) => [a.key, a.transport])).toEqual([
      ['[::1]:1', 'tls'],
      ['192.0.2.1:2', 'tls'],
    ]);
  });

  it('refuses other schemes and malformed addresses', () => {
    expect(() => parseServerAddress('http://example.com:80')).toThrow(MagpieError);
    expect(() => parseServerAddress('tls://example.com')).toThrow(/host:port/);
    expect(() => parseServerAddress('tcp://:8883')).toThrow(MagpieError);
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.255.0.1', '::1', 'LOCALHOST', '::ffff:127.0.0.1'].every(isLoopbackHost)).toBe(true);
    expect(['128.0.0.1', '10.0.0.1', 'localhost.example.com', '::2', 'example.com'].some(isLoopbackHost)).toBe(false);
  });
});

describe('a certificate failure in a race', () => {
  it('is the race\'s error, with its own code, when no address connects', async () => {
    const rejected = new MagpieError(ErrorCode.CERTIFICATE_REJECTED, 'a.example:1: the server\'s TLS certificate is not trusted');
    const candidates = [
      { key: 'a.example:1', host: 'a.example', port: 1, transport: 'tls' as const, ip: '192.0.2.1', family: 4 as const },
      { key: 'b.example:1', host: 'b.example', port: 1, transport: 'tls' as const, ip: '192.0.2.2', family: 4 as const },
    ];
    const failure = await raceConnects(
      candidates,
      (address) => Promise.reject(address.key === 'a.example:1' ? rejected : new Error('ECONNREFUSED')),
      { clock: new ManualClock(), staggerMs: 10, attemptTimeoutMs: 100 },
    ).catch((error: unknown) => error);
    expect((failure as MagpieError).code).toBe(ErrorCode.CERTIFICATE_REJECTED);
    expect((failure as MagpieError).message).toMatch(/not trusted/);
  });

  it('tells certificate verdicts from network failures', () => {
    expect(isCertificateError(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toBe(true);
    expect(isCertificateError(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }))).toBe(true);
    expect(isCertificateError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isCertificateError(undefined)).toBe(false);
  });
});
