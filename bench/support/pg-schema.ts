/**
 * A PostgreSQL schema of the bench's own on the machine's server (127.0.0.1:5432, trust, user
 * postgres, database test), so runs and other work on the same database cannot collide; dropped
 * afterwards. Talks to PostgreSQL through psql, so the bench needs no driver of its own.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BENCH_PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;

export interface BenchSchema {
  readonly name: string;
  /** The --db URL of a node using this schema. */
  readonly url: string;
  /** Rows inserted, updated and deleted in this schema's tables so far (PostgreSQL's statistics, which lag by up to a second). */
  rowWrites(): Promise<{ inserted: number; updated: number; deleted: number }>;
  /** ANALYZE of this schema's tables, as autovacuum would do on a server where it is on. */
  analyze(): Promise<void>;
  drop(): Promise<void>;
}

/** Runs one SQL text through psql; resolves with its unaligned, tuples-only output. */
export async function psql(sql: string): Promise<string> {
  const { stdout } = await run(
    'psql',
    ['-h', BENCH_PG.host, '-p', String(BENCH_PG.port), '-U', BENCH_PG.user, '-d', BENCH_PG.database, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { timeout: 30_000 },
  );
  return stdout.trim();
}

/** Whether PostgreSQL answers on 127.0.0.1:5432; the reason when it does not. */
export async function postgresProblem(): Promise<string | undefined> {
  try {
    await psql('select 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${BENCH_PG.host}:${BENCH_PG.port} did not answer (${(error as Error).message.split('\n')[0]})`;
  }
}

/** Creates `bench_<label>_<random>`; the name is only [a-z0-9_], so it needs no quoting. */
export async function createBenchSchema(label: string): Promise<BenchSchema> {
  const name = `bench_${label.replace(/[^a-z0-9]/g, '')}_${randomBytes(4).toString('hex')}`;
  await psql(`create schema ${name}`);
  return {
    name,
    url: `postgres://${BENCH_PG.user}@${BENCH_PG.host}:${BENCH_PG.port}/${BENCH_PG.database}?schema=${name}`,
    async rowWrites() {
      const out = await psql(
        `select coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0), coalesce(sum(n_tup_del), 0) from pg_stat_user_tables where schemaname = '${name}'`,
      );
      const [inserted, updated, deleted] = out.split('|').map(Number);
      return { inserted: inserted!, updated: updated!, deleted: deleted! };
    },
    async analyze() {
      const tables = (await psql(`select tablename from pg_tables where schemaname = '${name}'`)).split('\n').filter((t) => t !== '');
      if (tables.length > 0) await psql(`analyze ${tables.map((t) => `${name}."${t}"`).join(', ')}`);
    },
    async drop() {
      await psql(`drop schema if exists ${name} cascade`);
    },
  };
}

/** The tables a node made in the schema: none means the node did not use PostgreSQL at all. */
export async function tableCount(schema: string): Promise<number> {
  return Number(await psql(`select count(*) from information_schema.tables where table_schema = '${schema}'`));
}
