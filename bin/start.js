#!/usr/bin/env node
// `npm start`: builds the app, then opens the desktop app. Electron fetches its binary on first
// use; where there is no display, or the binary cannot be fetched or cannot run, the same UI opens
// in the browser (the web shell) instead, and the reason is printed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDesktopApp } from './desktop-launch.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronVite = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
const vite = join(root, 'node_modules/vite/bin/vite.js');

// the app, then the developer console the local demo server serves (npm run build does the same)
for (const command of [[electronVite, 'build'], [vite, 'build', '-c', 'vite.console.config.ts']]) {
  const build = spawnSync(process.execPath, command, { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const args = process.argv.slice(2);
const desktop = await openDesktopApp({ root, args });
if (desktop.opened) process.exit(desktop.code);

process.stdout.write(`The desktop app cannot open here: ${desktop.reason}.\nStarting the browser version instead.\n`);
const web = spawnSync(process.execPath, [join(root, 'bin/run-source.js'), join(root, 'main/web/web-main.ts'), ...args], { cwd: root, stdio: 'inherit' });
process.exit(web.status ?? 0);
