/**
 * A NATS URL as logs and error messages show it: `nats://user:secret@host:4222` (or a token,
 * `nats://token@host`) becomes `nats://***@host:4222`. The credentials of the cluster's link never
 * reach a log line, a usage error or an operator's screen. Several URLs (comma-separated) each.
 */
export function redactNatsUrl(url: string): string {
  return url.replace(/(^|,|\/\/)[^@/,\s]+@/g, '$1***@');
}
