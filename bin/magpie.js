#!/usr/bin/env node
// The magpie CLI launcher: runs the TypeScript sources from their cached bundle (bundled-entry.js).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importEntry } from './bundled-entry.js';

const { runCli } = await importEntry(join(dirname(fileURLToPath(import.meta.url)), '..'), 'main/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
// a safety net: a retry timer or a socket still closing must not keep a finished command alive
setTimeout(() => process.exit(), 2_000).unref();
