import { createRequire } from 'node:module';
import type PQType from 'libpq';
import { PgError } from './pg-errors';

export type LibpqConstructor = typeof PQType;

/** What a user is told when the optional driver is missing or was not built. */
export const LIBPQ_MISSING =
  'PostgreSQL needs the optional npm package libpq, which builds against libpq-dev at install ' +
  '(Debian and Ubuntu: apt-get install libpq-dev, then npm rebuild libpq)';

let loaded: LibpqConstructor | undefined;

/**
 * libpq is an optional dependency: it builds from source against the system's libpq-dev, so an
 * install on a machine without it (a desktop user's) still succeeds, and only `--db postgres://`
 * needs it. Loaded at the first PostgreSQL connection, never at import. A missing or unbuilt module
 * is a PgError with no SQLSTATE: the CLI says so in one line and exits 4, like an unreachable
 * database.
 */
export function loadLibpq(load?: (name: string) => unknown): LibpqConstructor {
  if (load === undefined && loaded) return loaded;
  try {
    // required, not imported: libpq prints its source folder when it has no parent module, as an
    // ESM import leaves it
    const module = (load ?? createRequire(import.meta.url))('libpq') as LibpqConstructor;
    if (load === undefined) loaded = module;
    return module;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PgError(`${LIBPQ_MISSING} (${reason})`, 'SQLITE_CANTOPEN', undefined);
  }
}
