#!/usr/bin/env node
// The magpie-server launcher: runs the TypeScript sources from their cached bundle (bundled-entry.js).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importEntry } from './bundled-entry.js';

const { runCli } = await importEntry(join(dirname(fileURLToPath(import.meta.url)), '..'), 'server/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
// a safety net: whatever still holds the event loop must not keep a stopped server alive
setTimeout(() => process.exit(), 3_000).unref();
