#!/usr/bin/env node
// The magpie CLI launcher: registers tsx so Node runs the TypeScript sources as they are.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../main/cli/main.ts', import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2));
// a safety net: a retry timer or a socket still closing must not keep a finished command alive
setTimeout(() => process.exit(), 2_000).unref();
