/**
 * Runs the benchmarks one after another, each in its own process so one's memory and sockets do
 * not skew the next. `npm run bench -- --smoke` runs each in its short smoke mode (CI).
 * `npm run bench -- NAME` runs only the benches whose file name contains NAME.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n## ${file}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file), ...flags], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
if (benches.length === 0) process.stdout.write('no benchmark matched\n');
process.exit(failed === 0 ? 0 : 1);
