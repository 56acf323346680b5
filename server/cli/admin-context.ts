import { systemClock } from '../../protocol';
import { createAccessControl, NO_SESSIONS, type AccessControl } from '../access/access-control';
import { createIdentity, type Identity } from '../identity/identity';
import { loadOrCreateServerKey } from '../identity/server-key';
import { createUserStore } from '../identity/users';
import { openStore } from '../storage/open-store';
import { runMigrations } from '../storage/migrate';
import { migrations } from '../storage/migrations';
import { DEFAULT_TUNING } from '../tuning';

/**
 * The identity of a data folder (or of the PostgreSQL database --db names; the server key stays in
 * the folder), opened beside a running server (WAL makes that safe on SQLite).
 */
export function openAdminContext(dataDir: string, database?: string): { identity: Identity; access: AccessControl; close(): void } {
  const db = openStore(dataDir, database, { busyTimeoutMs: DEFAULT_TUNING.sqliteBusyTimeoutMs });
  try {
    runMigrations(db, migrations);
    const users = createUserStore({ db, clock: systemClock });
    const identity = createIdentity({
      db,
      clock: systemClock,
      serverKey: loadOrCreateServerKey(dataDir),
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
