/**
 * `--db postgres://USER@HOST:PORT/DB[?schema=NAME]`: the libpq connection string and the schema
 * Magpie works in. Every other query parameter is libpq's own (sslmode, connect_timeout, …).
 */
export interface PgLocation {
  /** What libpq connects with (the URL without `schema`). */
  readonly conninfo: string;
  /** The schema (created if missing); `public` when the URL names none. */
  readonly schema: string;
}

/** Seconds libpq waits for the server to answer a connect, unless the URL says otherwise. */
export const PG_CONNECT_TIMEOUT_SECONDS = 10;

/**
 * TCP keepalives and the unacknowledged-data bound, unless the URL says otherwise: a database
 * host that vanished (no RST) is noticed in about 25 s (10 s idle, then 3 probes 5 s apart), and
 * a send that stays unacknowledged for 30 s fails, instead of the kernel's two hours.
 */
export const PG_KEEPALIVE_PARAMS: Readonly<Record<string, string>> = {
  keepalives: '1',
  keepalives_idle: '10',
  keepalives_interval: '5',
  keepalives_count: '3',
  tcp_user_timeout: '30000',
};

export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUrlError';
  }
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function parsePgUrl(text: string): PgLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DatabaseUrlError(`the database URL "${redactPassword(text)}" is not a URL (expected postgres://USER@HOST:PORT/DB)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(`the database URL must start with postgres:// (got "${url.protocol}")`);
  }
  if (url.hostname === '') throw new DatabaseUrlError('the database URL names no host');
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new DatabaseUrlError(`the schema "${schema}" is not a plain name (letters, digits, _; at most 63)`);
  }
  const params = new URLSearchParams(url.searchParams);
  params.delete('schema');
  if (!params.has('connect_timeout')) params.set('connect_timeout', String(PG_CONNECT_TIMEOUT_SECONDS));
  for (const [key, value] of Object.entries(PG_KEEPALIVE_PARAMS)) if (!params.has(key)) params.set(key, value);
  // libpq reads %20 as a space but not URLSearchParams' "+"
  url.search = [...params].map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
  return { conninfo: url.toString(), schema };
}

/** The URL as it may be shown (errors, logs): a password in it replaced by `***`. */
export function redactPassword(text: string): string {
  return text.replace(/(\/\/[^/@:?#]*:)[^@/?#]*@/, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}
