import { createHash, createHmac } from 'node:crypto';

/**
 * The signed login's HMAC form: hex HMAC-SHA256, keyed by the appToken, of
 * `appId + "\n" + userId + "\n" + timestamp`. The newline cannot occur in an app id, a valid user id
 * or a canonical timestamp, so one signature names exactly one (app, user, time): a bare
 * concatenation let a signature for `user10` at T log `user1` in at "0" + T.
 */
export function hmacLoginSignature(appId: string, userId: string, timestampMs: string, appToken: string): string {
  return createHmac('sha256', appToken).update(`${appId}\n${userId}\n${timestampMs}`).digest('hex');
}

/**
 * The seed's MD5 form: uppercase hex MD5 of appId + userId + timestamp (yyyyMMddHHmmss) + appToken.
 * Its bytes are the seed's and cannot change; it stays unambiguous only because the app id (the
 * stored app's own, 32 hex) and the timestamp (exactly 14 digits) have fixed lengths, so the server
 * accepts nothing else in those places.
 */
export function md5LoginSignature(appId: string, userId: string, timestamp: string, appToken: string): string {
  return createHash('md5').update(appId + userId + timestamp + appToken).digest('hex').toUpperCase();
}

/** The only accepted form of the HMAC timestamp: ms since the epoch in decimal, no sign, no leading zero. */
const CANONICAL_MS = /^(0|[1-9]\d{0,15})$/;

/** Parses the HMAC form's timestamp; undefined unless it is canonical. */
export function parseMsTimestamp(text: string): number | undefined {
  return CANONICAL_MS.test(text) ? Number(text) : undefined;
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
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
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
