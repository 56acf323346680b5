import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './web-app';

/** The console is tested as built (the server serves out/console); a fresh clone builds it once here. */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(repoRoot, 'out/console/index.html'))) return;
  const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'vite.console.config.ts'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('the console build failed');
}
