import { describe, expect, it } from 'vitest';
import { databaseMessage, isDatabaseError } from '../../../server/cli/data-folder-error';
import { LIBPQ_MISSING, loadLibpq } from '../../../server/storage/pg/load-libpq';

/** libpq is optional (it builds against libpq-dev): without it only --db postgres:// fails, in one line. */
describe('the optional PostgreSQL driver', () => {
  it('missing: a database error that says what to install, which the CLI prints in one line (exit 4)', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'libpq'\nRequire stack:\n- x.js"), { code: 'MODULE_NOT_FOUND' });
    };
    let caught: unknown;
    try {
      loadLibpq(missing);
    } catch (error) {
      caught = error;
    }
    expect(isDatabaseError(caught)).toBe(true);
    const line = databaseMessage(caught as never);
    expect(line).toContain(LIBPQ_MISSING);
    expect(line).toContain("Cannot find module 'libpq'");
    expect(line).not.toContain('\n');
  });

  it('present: the module the loader found', () => {
    const fake = class {};
    expect(loadLibpq(() => fake)).toBe(fake);
  });
});
