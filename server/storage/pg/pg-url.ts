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
    throw new DatabaseUrlError(`the database URL "${text}" is not a URL (expected postgres://USER@HOST:PORT/DB)`);
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
  // libpq reads %20 as a space but not URLSearchParams' "+"
  url.search = [...params].map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
  return { conninfo: url.toString(), schema };
}
