import { createHash, createHmac } from 'node:crypto';

/** The signed login's HMAC form: hex HMAC-SHA256 of appId + userId + timestamp, keyed by appToken. */
export function hmacLoginSignature(appId: string, userId: string, timestampMs: string, appToken: string): string {
  return createHmac('sha256', appToken).update(appId + userId + timestampMs).digest('hex');
}

/** The seed's MD5 form: uppercase hex MD5 of appId + userId + timestamp (yyyyMMddHHmmss) + appToken. */
export function md5LoginSignature(appId: string, userId: string, timestamp: string, appToken: string): string {
  return createHash('md5').update(appId + userId + timestamp + appToken).digest('hex').toUpperCase();
}

/**
 * Parses the MD5 form's yyyyMMddHHmmss, read as wall-clock time at the given UTC offset (the seed
 * platform's clocks are China Standard Time, +480 minutes). Undefined when it is not such a time.
 */
export function parseCompactTimestamp(text: string, utcOffsetMinutes: number): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(utc);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return utc - utcOffsetMinutes * 60_000;
}

/** Formats a time as yyyyMMddHHmmss at the given UTC offset: what a client signs in the MD5 form. */
export function formatCompactTimestamp(ms: number, utcOffsetMinutes: number): string {
  const at = new Date(ms + utcOffsetMinutes * 60_000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    pad(at.getUTCFullYear(), 4) +
    pad(at.getUTCMonth() + 1) +
    pad(at.getUTCDate()) +
    pad(at.getUTCHours()) +
    pad(at.getUTCMinutes()) +
    pad(at.getUTCSeconds())
  );
}
