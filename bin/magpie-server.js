#!/usr/bin/env node
// The magpie-server launcher: registers tsx so Node runs the TypeScript sources as they are.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../server/cli/main.ts', import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2));
// a safety net: whatever still holds the event loop must not keep a stopped server alive
setTimeout(() => process.exit(), 3_000).unref();
