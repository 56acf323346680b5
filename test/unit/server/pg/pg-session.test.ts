import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol';
import { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { DatabaseUrlError, parsePgUrl, redactPassword } from '../../../../server/storage/pg/pg-url';
import { translatePlaceholders } from '../../../../server/storage/pg/pg-sql';
import { storageUnavailable } from '../../../../server/storage/storage-errors';
import { pgTestSchema } from './pg-test-schema';

function failureOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a PostgreSQL session as the server opens it', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;

  beforeAll(() => {
    db = schema.open();
    db.exec('CREATE TABLE heads (k TEXT PRIMARY KEY, n BIGINT NOT NULL)');
    db.prepare("INSERT INTO heads (k, n) VALUES ('a', 0)").run();
  });
  afterAll(() => {
    db.close();
    schema.drop();
  });

  it('sets the output formats the decoder reads, its name and its bounds on waits, whatever the defaults', () => {
    const show = (name: string) => db.prepare<[], string>(`SHOW ${name}`).pluck().get();
    expect(show('bytea_output')).toBe('hex');
    expect(show('standard_conforming_strings')).toBe('on');
    expect(show('lock_timeout')).toBe('2s');
    expect(show('statement_timeout')).toBe('10s');
    expect(show('idle_in_transaction_session_timeout')).toBe('10s');
    expect(show('application_name')).toMatch(/^magpie-/);
    const named = new PgDatabase({ conninfo: parsePgUrl(schema.base).conninfo, applicationName: 'magpie-node7' });
    try {
      expect(named.prepare<[], string>('SHOW application_name').pluck().get()).toBe('magpie-node7');
    } finally {
      named.close();
    }
  });

  it('fails a lock wait past lock_timeout and a statement past statement_timeout as storage unavailable', () => {
    const location = parsePgUrl(schema.url);
    const other = new PgDatabase({ conninfo: location.conninfo, schema: location.schema, timeouts: { lockMs: 200, statementMs: 300 } });
    try {
      db.transaction(() => {
        db.prepare("UPDATE heads SET n = n + 1 WHERE k = 'a'").run();
        const started = Date.now();
        const waited = failureOf(() => other.prepare("UPDATE heads SET n = n + 1 WHERE k = 'a'").run());
        expect(Date.now() - started).toBeLessThan(1_500);
        expect((waited as { sqlState?: string }).sqlState).toBe('55P03');
        expect(storageUnavailable(waited)?.code).toBe(ErrorCode.STORAGE_UNAVAILABLE);
      })();
      const slow = failureOf(() => other.prepare('SELECT pg_sleep(2)').get());
      expect((slow as { sqlState?: string }).sqlState).toBe('57014');
      expect(storageUnavailable(slow)?.code).toBe(ErrorCode.STORAGE_UNAVAILABLE);
      // the connection goes on
      expect(other.prepare<[], number>('SELECT 1').pluck().get()).toBe(1);
    } finally {
      other.close();
    }
  });

  it('opens an existing schema with a role that may not create schemas', () => {
    const role = `${schema.url.match(/schema=([^&]+)/)![1]!}_ro`;
    db.exec(`CREATE ROLE ${role} LOGIN; GRANT USAGE ON SCHEMA "${schema.url.match(/schema=([^&]+)/)![1]!}" TO ${role}`);
    try {
      const url = new URL(schema.url);
      url.username = role;
      const location = parsePgUrl(url.toString());
      const limited = new PgDatabase({ conninfo: location.conninfo, schema: location.schema });
      expect(limited.prepare<[], string>('SELECT current_schema()').pluck().get()).toBe(location.schema);
      limited.close();
    } finally {
      db.exec(`REVOKE ALL ON SCHEMA "${schema.url.match(/schema=([^&]+)/)![1]!}" FROM ${role}; DROP ROLE ${role}`);
    }
  });
});

describe('database URLs in messages', () => {
  it('never show the password', () => {
    expect(redactPassword('postgres://magpie:s3cret@db:5432/m?schema=x')).toBe('postgres://magpie:***@db:5432/m?schema=x');
    expect(redactPassword('postgres://db/m?password=s3cret&sslmode=require')).toBe('postgres://db/m?password=***&sslmode=require');
    const failure = failureOf(() => parsePgUrl('postgres://magpie:s3cret@[bad/db'));
    expect(failure).toBeInstanceOf(DatabaseUrlError);
    expect((failure as Error).message).not.toContain('s3cret');
  });
});

describe('placeholders next to what PostgreSQL quotes', () => {
  it("leaves ? inside $$…$$, $tag$…$tag$ and E'…\\'…' alone, and refuses one left open", () => {
    const sql = translatePlaceholders("SELECT $$a ? b$$, $fn$ ? $fn$, E'it\\'s ?', E'x\\\\', ? FROM t WHERE y = ?");
    expect(sql.text).toBe("SELECT $$a ? b$$, $fn$ ? $fn$, E'it\\'s ?', E'x\\\\', $1 FROM t WHERE y = $2");
    expect(sql.positional).toBe(2);
    expect(() => translatePlaceholders('SELECT $$ ? ')).toThrow(TypeError);
    expect(() => translatePlaceholders("SELECT E'\\' ?")).toThrow(TypeError);
  });
});

describe('int8 values', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;
  beforeAll(() => {
    db = schema.open();
  });
  afterAll(() => {
    db.close();
    schema.drop();
  });

  it('are read exactly up to 2^53 - 1 and refused beyond, never rounded', () => {
    expect(db.prepare<[], number>('SELECT 9007199254740991::int8').pluck().get()).toBe(Number.MAX_SAFE_INTEGER);
    expect(db.prepare<[], number>('SELECT -9007199254740991::int8').pluck().get()).toBe(-Number.MAX_SAFE_INTEGER);
    expect(() => db.prepare('SELECT 9007199254740993::int8').pluck().get()).toThrow(RangeError);
  });
});
