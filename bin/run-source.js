#!/usr/bin/env node
// Runs a TypeScript entry of this repository from its cached bundle (bundled-entry.js), as
// `node --import tsx ENTRY ARGS…` would run it, only faster to start:
//   node bin/run-source.js main/web/web-main.ts --profile DIR
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importEntry } from './bundled-entry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.argv[2];
if (entry === undefined) {
  process.stderr.write('usage: node bin/run-source.js ENTRY.ts [ARGS…]\n');
  process.exit(2);
}
// the entry sees the arguments as if it had been started itself: argv[1] is the entry
process.argv.splice(1, 2, resolve(entry));
await importEntry(root, relative(root, resolve(entry)));
