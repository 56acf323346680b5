#!/usr/bin/env node
// `npm start`: builds the app, then opens the desktop app where Electron can run here, or the
// same UI in the browser (the web shell) where it cannot (no Electron binary, or no display).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronVite = join(root, 'node_modules/electron-vite/bin/electron-vite.js');

function electronUsable() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return false;
  }
  // the binary is fetched by electron's install step; where that could not run, there is none
  if (!existsSync(join(dir, 'path.txt'))) return false;
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

const build = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const args = process.argv.slice(2);
const run = electronUsable()
  ? spawnSync(process.execPath, [electronVite, 'preview', ...args], { cwd: root, stdio: 'inherit' })
  : (process.stdout.write('Electron cannot run here (no binary or no display): starting the web version instead.\n'),
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'main/web/web-main.ts'), ...args], { cwd: root, stdio: 'inherit' }));
process.exit(run.status ?? 0);
