/**
 * One PostgreSQL round trip as a node makes it: a prepared statement on the server's own libpq
 * connection class, synchronous, so the event loop waits for it. A node's statements per write
 * batch times this is the floor of its commit time.
 */
import { PgDatabase } from '../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../server/storage/pg/pg-url';
import { summarize, type LatencySummary } from './stats';

export function pgRoundTrip(url: string, count: number): LatencySummary {
  const { conninfo, schema } = parsePgUrl(url);
  const db = new PgDatabase({ conninfo, schema });
  try {
    const select = db.prepare<[number], { one: number }>('SELECT ?::int AS one');
    for (let i = 0; i < 100; i++) select.get(i);
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      select.get(i);
      samples.push(performance.now() - started);
    }
    return summarize(samples);
  } finally {
    db.close();
  }
}
