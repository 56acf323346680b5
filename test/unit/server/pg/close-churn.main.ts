/**
 * The close-under-collection check of pg-close.test.ts: opens and closes CONNECTIONS connections,
 * forcing a garbage collection right after each close, before the event loop's close phase (where
 * libuv closes the connection's socket watcher). Run with --expose-gc; prints {"closed":N}.
 *
 *   node --expose-gc --import tsx close-churn.main.ts URL CONNECTIONS
 */
import { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../../server/storage/pg/pg-url';

const [url, countText] = process.argv.slice(2) as [string, string];
const conninfo = parsePgUrl(url).conninfo;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const total = Number(countText);
let closed = 0;

/** The connection's last reference goes when this returns. */
function openAndClose(): void {
  const db = new PgDatabase({ conninfo });
  db.prepare('SELECT 1').get();
  db.close();
  closed++;
}

function step(): void {
  openAndClose();
  gc!();
  if (closed < total) setImmediate(step);
  else process.stdout.write(JSON.stringify({ closed }) + '\n');
}
step();
