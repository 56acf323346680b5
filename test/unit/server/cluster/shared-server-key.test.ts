import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const KEY_MODULE = fileURLToPath(new URL('../../../../server/identity/server-key.ts', import.meta.url));
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One process that opens the folder's key and prints what it derives from it. */
function deriveIn(folder: string): Promise<string> {
  const script = `const { loadOrCreateServerKey } = await import(${JSON.stringify(KEY_MODULE)}); process.stdout.write(loadOrCreateServerKey(${JSON.stringify(folder)}).derive('probe').toString('hex'));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

it('gives cluster nodes starting together on a new data folder one server key', { timeout: 60_000 }, async () => {
  dir = await mkdtemp(join(tmpdir(), 'magpie-shared-key-'));
  const keys = await Promise.all(Array.from({ length: 6 }, () => deriveIn(dir!)));
  expect(new Set(keys).size).toBe(1);
  expect(await readdir(dir)).toEqual(['server.key']);
});

it('makes a data folder that does not exist yet (a node on PostgreSQL has no database file to make it), for the server only', async () => {
  dir = await mkdtemp(join(tmpdir(), 'magpie-new-key-'));
  const folder = join(dir, 'new', 'data');
  expect(await deriveIn(folder)).toMatch(/^[0-9a-f]{64}$/);
  expect((await stat(folder)).mode & 0o777).toBe(0o700);
});
