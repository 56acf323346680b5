import { systemClock } from '../../protocol';
import { createAccessControl, NO_SESSIONS, type AccessControl } from '../access/access-control';
import { createIdentity, type Identity } from '../identity/identity';
import { openServerKeyFor } from '../identity/server-key-check';
import { createUserStore } from '../identity/users';
import { openStore } from '../storage/open-store';
import { runMigrations } from '../storage/migrate';
import { migrations } from '../storage/migrations';
import { DEFAULT_TUNING } from '../tuning';
import { requireMagpieFolder, requireMagpieSchema } from './magpie-data-check';

/**
 * The identity of a data folder (or of the PostgreSQL database --db names; the server key stays in
 * the folder), opened beside a running server (WAL makes that safe on SQLite). The folder must
 * hold a server's data already (NO_MAGPIE_DATA otherwise).
 */
export function openAdminContext(dataDir: string, database?: string): { identity: Identity; access: AccessControl; close(): void } {
  // only `start` makes a data folder: a mistyped --data is refused before anything is created
  requireMagpieFolder(dataDir, database);
  const db = openStore(dataDir, database, { busyTimeoutMs: DEFAULT_TUNING.sqliteBusyTimeoutMs });
  try {
    requireMagpieSchema(db, dataDir, database);
    runMigrations(db, migrations);
    const users = createUserStore({ db, clock: systemClock });
    const identity = createIdentity({
      db,
      clock: systemClock,
      serverKey: openServerKeyFor(db, dataDir),
      users,
      scryptCost: DEFAULT_TUNING.scryptCost,
    });
    // no sessions here: a running server learns of what this process revokes from the table
    const access = createAccessControl({ db, clock: systemClock, identity, sessions: NO_SESSIONS });
    return { identity, access, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}
