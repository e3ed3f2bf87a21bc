#!/usr/bin/env node
// Entry point for the `steno` command; the CLI itself lives in src/cli (compiled to dist/cli).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// Ingest and verify allocate many short-lived objects; a larger young generation means fewer, cheaper GCs.
setFlagsFromString('--max-semi-space-size=64');

const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('steno: not built yet — run `npm run build` (or `npm install`) first\n');
  process.exit(2);
}
const { runCli } = await import(main);
process.exitCode = await runCli(process.argv.slice(2));
